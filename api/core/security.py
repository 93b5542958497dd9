"""Password hashing (argon2 via pwdlib) and JWT access tokens (PyJWT, HMAC only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

import jwt
from pwdlib import PasswordHash

from cryptoflow.settings import Settings

password_hash = PasswordHash.recommended()


class InvalidTokenError(Exception):
    """The bearer token is missing a claim, tampered with, expired or not ours."""


def hash_password(password: str) -> str:
    return password_hash.hash(password)


@cache
def _dummy_hash() -> str:
    return password_hash.hash("cryptoflow-timing-equaliser")


def verify_password(password: str, hashed: str | None) -> bool:
    """`hashed=None` (unknown email) still costs one verification, so timing tells nothing."""
    if hashed is None:
        password_hash.verify(password, _dummy_hash())
        return False
    return password_hash.verify(password, hashed)


def create_access_token(subject: str, *, settings: Settings) -> tuple[str, int]:
    """A signed token for `subject` and its lifetime in seconds."""
    lifetime = timedelta(minutes=settings.jwt_expire_minutes)
    now = datetime.now(UTC)
    claims = {"sub": subject, "iat": now, "exp": now + lifetime}
    token = jwt.encode(claims, settings.jwt_secret, algorithm=settings.jwt_algorithm)
    return token, int(lifetime.total_seconds())


def read_token_subject(token: str, *, settings: Settings) -> str:
    """The `sub` of a valid token; only the configured HMAC algorithm is accepted (no `none`)."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[settings.jwt_algorithm],
            options={"require": ["exp", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidTokenError("token expired") from exc
    except jwt.PyJWTError as exc:
        raise InvalidTokenError("could not validate credentials") from exc
    return str(claims["sub"])
