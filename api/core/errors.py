"""JSON `{"detail": ...}` for every failure: store outages are 503, never a bare 500 page."""

from __future__ import annotations

import logging

import redis.exceptions
import sqlalchemy.exc
from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from psycopg import errors as pg_errors

log = logging.getLogger("api")

WAREHOUSE_MISSING = (
    "the warehouse is not built yet (a marts/analytics table is missing): "
    "run the pipeline first, e.g. `dagster asset materialize -m orchestration.definitions --select '*'`"
)


def _detail(status_code: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status_code, headers=headers)


async def _database_error(_: Request, exc: Exception) -> JSONResponse:
    original = getattr(exc, "orig", None)
    if isinstance(original, pg_errors.UndefinedTable):
        return _detail(status.HTTP_503_SERVICE_UNAVAILABLE, WAREHOUSE_MISSING)
    if isinstance(original, pg_errors.QueryCanceled):
        return _detail(status.HTTP_503_SERVICE_UNAVAILABLE, "the database query timed out")
    if isinstance(exc, sqlalchemy.exc.DataError | sqlalchemy.exc.IntegrityError):
        log.warning("database refused a value: %s", exc)
        return _detail(status.HTTP_422_UNPROCESSABLE_CONTENT, "the database refused a value")
    log.warning("database unavailable: %s", exc)
    return _detail(status.HTTP_503_SERVICE_UNAVAILABLE, "the database is unavailable, retry soon")


async def _pool_timeout(_: Request, exc: Exception) -> JSONResponse:
    log.warning("database pool exhausted: %s", exc)
    return _detail(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        "the database is busy, retry soon",
        headers={"Retry-After": "1"},
    )


async def _redis_error(_: Request, exc: Exception) -> JSONResponse:
    log.warning("redis unavailable: %s", exc)
    return _detail(status.HTTP_503_SERVICE_UNAVAILABLE, "redis is unavailable, retry soon")


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return _detail(status.HTTP_500_INTERNAL_SERVER_ERROR, "internal server error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(sqlalchemy.exc.TimeoutError, _pool_timeout)
    app.add_exception_handler(sqlalchemy.exc.DBAPIError, _database_error)
    app.add_exception_handler(redis.exceptions.ConnectionError, _redis_error)
    app.add_exception_handler(redis.exceptions.TimeoutError, _redis_error)
    app.add_exception_handler(Exception, _unexpected)
