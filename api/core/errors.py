"""JSON `{"detail": ...}` for every failure: store outages are 503, never a bare 500 page."""

from __future__ import annotations

import logging

import pydantic_core
import redis.exceptions
import sqlalchemy.exc
from fastapi import FastAPI, Request, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg import errors as pg_errors

log = logging.getLogger("api")

WAREHOUSE_MISSING = (
    "the warehouse is not built yet (a marts/analytics table is missing): "
    "run the pipeline first, e.g. `dagster asset materialize -m orchestration.definitions --select '*'`"
)
DATABASE_REFUSED = "the database refused a value (e.g. text with a NUL character)"


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
        # Shaped like FastAPI's own 422s: that is the 422 body the OpenAPI schema documents.
        refused = {"type": "value_error", "loc": ["request"], "msg": DATABASE_REFUSED}
        return JSONResponse({"detail": [refused]}, status_code=422)
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


async def _invalid_request(_: Request, exc: Exception) -> Response:
    """FastAPI's own 422 body, whatever input it echoes: bytes that are not UTF-8 (a body that
    is no JSON at all) come back with replacement characters, non-finite numbers (`1e400`) as
    null, instead of failing the encoder with a 500."""
    assert isinstance(exc, RequestValidationError)
    errors = jsonable_encoder(exc.errors(), custom_encoder={bytes: _lossy_text})
    body = pydantic_core.to_json({"detail": errors}, inf_nan_mode="null")
    return Response(
        body, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, media_type="application/json"
    )


def _lossy_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return _detail(status.HTTP_500_INTERNAL_SERVER_ERROR, "internal server error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(sqlalchemy.exc.TimeoutError, _pool_timeout)
    app.add_exception_handler(sqlalchemy.exc.DBAPIError, _database_error)
    app.add_exception_handler(redis.exceptions.ConnectionError, _redis_error)
    app.add_exception_handler(redis.exceptions.TimeoutError, _redis_error)
    app.add_exception_handler(Exception, _unexpected)
