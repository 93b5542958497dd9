"""Dependencies handlers declare with `Annotated` aliases: session, Redis, settings, user."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response, status
from fastapi.security import OAuth2PasswordBearer
from redis.asyncio import Redis
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from api.core.cache import PRIVATE_CACHE_CONTROL
from api.core.config import API_V1_PREFIX, Settings
from api.core.security import InvalidTokenError, read_token_subject
from api.core.versions import DataVersion
from api.models import User

log = logging.getLogger("api")
oauth2_scheme = OAuth2PasswordBearer(tokenUrl=f"{API_V1_PREFIX}/auth/login", auto_error=False)


# Plain getters are `async def`: FastAPI runs a sync dependency in its thread pool, a hop that
# cost the cached hot endpoints a fifth of their throughput.
async def get_settings_from_app(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    session: AsyncSession = request.app.state.sessionmaker()
    try:
        yield session
    finally:
        await _close(session)


async def _close(session: AsyncSession) -> None:
    """Close after the answer went out: a connection that PostgreSQL dropped meanwhile (it was
    restarted) fails the closing ROLLBACK, and raised here that would abort the client's
    keep-alive connection. It is only discarded from the pool."""
    try:
        await session.close()
    except DBAPIError as exc:
        log.warning("discarding a database connection that broke: %s", exc.orig)
        with contextlib.suppress(DBAPIError):
            await session.invalidate()


async def get_redis(request: Request) -> Redis:
    return request.app.state.redis


async def get_data_version(request: Request) -> DataVersion | None:
    """The version of the dataset the route reads, fixed by VersionedRoute for this answer."""
    return getattr(request.state, "data_version", None)


SettingsDep = Annotated[Settings, Depends(get_settings_from_app)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
RedisDep = Annotated[Redis, Depends(get_redis)]
DataVersionDep = Annotated[DataVersion | None, Depends(get_data_version)]
TokenDep = Annotated[str | None, Depends(oauth2_scheme)]


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


async def get_current_user(
    session: SessionDep, token: TokenDep, settings: SettingsDep, response: Response
) -> User:
    """The user a valid bearer token names; 401 if the token is bad or the user is gone.

    What a signed-in user is answered is theirs alone: no shared cache may keep it.
    """
    response.headers["cache-control"] = PRIVATE_CACHE_CONTROL
    if token is None:
        raise _unauthorized("not authenticated: send `Authorization: Bearer <token>`")
    try:
        subject = read_token_subject(token, settings=settings)
    except InvalidTokenError as exc:
        raise _unauthorized(str(exc)) from exc
    # Our tokens carry the integer user id; anything else cannot name a user.
    user = (
        await session.get(User, int(subject)) if subject.isdigit() and len(subject) < 10 else None
    )
    if user is None:
        raise _unauthorized("the token's user no longer exists")
    if not user.is_active:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="inactive user")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]

# Documented on every route behind `CurrentUser`, so clients (and the OpenAPI types) expect them.
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "no bearer token, or an invalid or expired one, or its user is gone"},
    403: {"description": "the user is inactive"},
}
# FastAPI answers 400 itself when a JSON body cannot even be decoded (e.g. it is not UTF-8).
UNREADABLE_BODY: dict[int | str, dict[str, Any]] = {
    400: {"description": "the body could not be read as JSON"}
}
