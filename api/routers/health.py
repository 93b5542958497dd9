"""`/healthz`: the process answers. `/readyz`: it can also reach PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import RedisDep
from api.schemas.health import Liveness, NotReady, Readiness

router = APIRouter(tags=["health"])
log = logging.getLogger("api")
PROBE_TIMEOUT_S = 2.0


async def _database_ok(request: Request) -> bool:
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_S), request.app.state.engine.connect() as conn:
            await conn.execute(text("select 1"))
    except Exception as exc:  # any failure means "not ready", whatever its type
        log.warning("readiness: database unreachable: %s", exc)
        return False
    return True


async def _redis_ok(redis: RedisDep) -> bool:
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_S):
            await redis.ping()
    except Exception as exc:
        log.warning("readiness: redis unreachable: %s", exc)
        return False
    return True


@router.get("/healthz", response_model=Liveness)
async def read_liveness() -> Liveness:
    """The process is up (no dependency is checked)."""
    return Liveness()


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": NotReady, "description": "PostgreSQL or Redis unreachable"}},
)
async def read_readiness(request: Request, redis: RedisDep) -> Readiness | JSONResponse:
    """Ready to serve: PostgreSQL and Redis both answer within 2 s."""
    database_ok, redis_ok = await asyncio.gather(_database_ok(request), _redis_ok(redis))
    if database_ok and redis_ok:
        return Readiness()
    down = [name for name, ok in (("database", database_ok), ("redis", redis_ok)) if not ok]
    body = NotReady(
        detail=f"not ready: {' and '.join(down)} unreachable",
        database="ok" if database_ok else "unreachable",
        redis="ok" if redis_ok else "unreachable",
    )
    return JSONResponse(body.model_dump(), status_code=status.HTTP_503_SERVICE_UNAVAILABLE)
