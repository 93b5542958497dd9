"""The live-prices part of the API alone, for tests that run it under real uvicorn workers.

Configured by the same environment as the API (`REDIS_URL`, `CRYPTOFLOW_REDIS_NAMESPACE`,
`CRYPTOFLOW_WS_*`), without the database the full app needs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from cryptoflow.settings import Settings
from live.mount import ServerConnections, live_prices, router


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with live_prices(app, Settings()):
        yield


app = FastAPI(lifespan=lifespan)
app.add_middleware(ServerConnections)
app.include_router(router, prefix="/api/v1")
