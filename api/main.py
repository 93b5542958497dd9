"""The ASGI app (`api.main:app`): REST under `/api/v1`, live prices, and the dashboard at `/`."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from redis.asyncio import Redis

from api.core.cache import AnswerCache, KeptAnswersMiddleware
from api.core.config import (
    API_V1_PREFIX,
    Settings,
    check_api_settings,
    connection_urls,
    get_settings,
)
from api.core.db import make_async_engine, make_sessionmaker
from api.core.errors import install_error_handlers
from api.core.versions import DataVersions
from api.routers import api_router, health
from api.services.provenance import relay_event
from api.web import mount_web
from cryptoflow.settings import BAD_SETTINGS_EXIT, exit_on_bad_settings
from live.mount import ServerConnections, live_prices
from live.mount import router as live_prices_router

DESCRIPTION = """
Crypto-market data from the CryptoFlow warehouse (dlt → PostgreSQL → dbt, run by Dagster).

* **Public**: coins, market overview, analytics, pipeline runs and data quality.
* **Signed in** (`Authorization: Bearer <token>` from `POST /api/v1/auth/login`): portfolio and
  watchlist, each visible to its owner only.
* **Live**: `WS /api/v1/ws/prices` streams price ticks.

Errors are JSON `{"detail": ...}`.
"""

OPENAPI_TAGS = [
    {"name": "coins", "description": "Latest market data, history, candles and risk per coin"},
    {"name": "market", "description": "Market-wide KPIs and movers"},
    {"name": "analytics", "description": "Correlation matrix and volatility ranking"},
    {"name": "pipeline", "description": "Batch pipeline runs and job health"},
    {"name": "quality", "description": "Data quality checks and scores"},
    {"name": "auth", "description": "Register, log in, current user"},
    {"name": "portfolio", "description": "Holdings, P&L and performance (owner only)"},
    {"name": "watchlist", "description": "Starred coins (owner only)"},
    {"name": "live prices", "description": "WebSocket price stream and its statistics"},
    {"name": "health", "description": "Liveness and readiness probes"},
]


# The largest legitimate body (a holding with 1,000 characters of notes) is under 2 KiB; anything
# far larger is refused with 413 before it is read into memory.
MAX_BODY_BYTES = 64 * 1024


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the DB pool, Redis and the live-price listener; close them on shutdown."""
    settings: Settings = app.state.settings
    database_url, redis_url = connection_urls(settings)
    engine = make_async_engine(database_url, pool_size=settings.api_db_pool_size)
    sessionmaker = make_sessionmaker(engine)
    redis = Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker
    app.state.redis = redis
    versions = DataVersions(sessionmaker, poll_s=settings.api_versions_poll_s)
    app.state.versions = versions
    app.state.answers = AnswerCache()
    # What exists now (modules, the app, pools) lives as long as the process: out of every
    # garbage collection, so a full collection scans only what came later and its pause does
    # not stall the live-price fan-out (docs/live-prices.md).
    gc.freeze()
    try:
        async with live_prices(
            app, settings, relay_event=lambda raw: relay_event(raw, versions, settings)
        ):
            yield
    finally:
        await redis.aclose()
        await engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; refuses unsafe settings (e.g. the default JWT secret in production)."""
    settings = settings or get_settings()
    check_api_settings(settings)
    app = FastAPI(
        title="CryptoFlow API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=OPENAPI_TAGS,
        lifespan=lifespan,
        max_body_size=MAX_BODY_BYTES,
    )
    app.state.settings = settings
    app.add_middleware(ServerConnections)  # WebSockets only: live prices write to the transport
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    app.add_middleware(KeptAnswersMiddleware)  # outermost: a kept answer skips all the rest
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(api_router, prefix=API_V1_PREFIX)
    app.include_router(live_prices_router, prefix=API_V1_PREFIX)
    mount_web(app)  # last: its catch-all must not shadow an API route
    return app


# The server's app, built at import so uvicorn exits 2 with the one line of a bad setting (a
# failure in lifespan would be a traceback and exit 3). Building needs no database or Redis: the
# OpenAPI export imports it without either. A uvicorn `--workers` child exits 3 instead, the status
# on which uvicorn's supervisor stops rather than restarting it forever.
_STARTUP_FAILURE = 3
with exit_on_bad_settings(
    status=_STARTUP_FAILURE if multiprocessing.parent_process() else BAD_SETTINGS_EXIT
):
    app = create_app()
