"""Register, log in (OAuth2 password form or JSON) and read the signed-in user."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from api.core.security import create_access_token
from api.deps import (
    AUTH_RESPONSES,
    UNREADABLE_BODY,
    CurrentUser,
    RedisDep,
    SessionDep,
    SettingsDep,
)
from api.models import User
from api.schemas.users import LoginRequest, Token, UserPublic, UserRegister
from api.services import login_limit, users

router = APIRouter(prefix="/auth", tags=["auth"])

_CREDENTIALS_SCHEMA = {
    "type": "object",
    "required": ["username", "password"],
    "properties": {
        "username": {"type": "string", "description": "the account's email"},
        "password": {"type": "string", "format": "password"},
    },
}
LOGIN_REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": LoginRequest.model_json_schema()},
        "application/x-www-form-urlencoded": {"schema": _CREDENTIALS_SCHEMA},
    },
}


@router.post(
    "/register",
    response_model=UserPublic,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "the email is already registered"}, **UNREADABLE_BODY},
)
async def register_user(session: SessionDep, user_in: UserRegister) -> User:
    """Create an account (email + password of 8 to 128 characters)."""
    try:
        return await users.create_user(session, user_in)
    except users.EmailTakenError as exc:
        raise HTTPException(
            status_code=status.HTTP_409_CONFLICT, detail="a user with this email already exists"
        ) from exc


async def _read_credentials(request: Request) -> LoginRequest:
    """JSON `{email, password}` for programs, the OAuth2 form for `/docs` and OAuth2 clients."""
    content_type = request.headers.get("content-type", "").lower()
    try:
        if content_type.startswith("application/json"):
            return LoginRequest.model_validate_json(await request.body())
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            return LoginRequest.model_validate(
                {"email": form.get("username"), "password": form.get("password")}
            )
    except ValidationError as exc:
        errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors) from exc
    raise HTTPException(
        status_code=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        detail="send JSON {email, password} or an OAuth2 password form (username, password)",
    )


@router.post(
    "/login",
    response_model=Token,
    openapi_extra={"requestBody": LOGIN_REQUEST_BODY},
    responses={
        401: {"description": "wrong email or password"},
        415: {"description": "neither JSON nor an OAuth2 password form"},
        422: {"description": "email or password missing or malformed"},
        429: {"description": "too many failed logins from this address for this email"},
    },
)
async def login_access_token(
    request: Request, session: SessionDep, redis: RedisDep, settings: SettingsDep
) -> Token:
    """Exchange email and password for a bearer token. Repeated failures are refused with 429."""
    credentials = await _read_credentials(request)
    client = {
        "client_ip": request.client.host if request.client else "unknown",
        "email": credentials.email,
    }
    if wait_s := await login_limit.reserve_attempt(redis, settings, **client):
        raise HTTPException(
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            detail=f"too many failed logins; retry in {wait_s} s",
            headers={"Retry-After": str(wait_s)},
        )
    user = await users.authenticate(session, email=credentials.email, password=credentials.password)
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="incorrect email or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not user.is_active:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="inactive user")
    await login_limit.clear_failures(redis, settings, **client)
    token, expires_in = create_access_token(str(user.id), settings=settings)
    return Token(access_token=token, expires_in=expires_in)


@router.get("/me", response_model=UserPublic, responses=AUTH_RESPONSES)
async def read_user_me(current_user: CurrentUser) -> User:
    """The signed-in user's profile."""
    return current_user
