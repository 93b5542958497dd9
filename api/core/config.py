"""The API reads the platform's one settings object; this module only adds start-up checks."""

from __future__ import annotations

from cryptoflow.settings import Environment, Settings, SettingsError, get_settings

__all__ = [
    "API_V1_PREFIX",
    "Settings",
    "check_api_settings",
    "connection_urls",
    "get_settings",
]

API_V1_PREFIX = "/api/v1"
SAFE_JWT_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})


class UnsafeSettingsError(SettingsError):
    """Raised at start-up so a misconfigured API never serves a request."""


def check_api_settings(settings: Settings) -> None:
    """Refuse settings that would make the API insecure, before it is even built."""
    if settings.env is Environment.PRODUCTION and settings.uses_default_jwt_secret:
        raise UnsafeSettingsError(
            "JWT_SECRET",
            settings.jwt_secret,
            "the built-in development default, refused with CRYPTOFLOW_ENV=production; "
            "set a long random value (e.g. `openssl rand -hex 32`)",
        )
    if settings.jwt_algorithm not in SAFE_JWT_ALGORITHMS:
        raise UnsafeSettingsError(
            "JWT_ALGORITHM",
            settings.jwt_algorithm,
            f"not supported; use one of {', '.join(sorted(SAFE_JWT_ALGORITHMS))}",
        )


def connection_urls(settings: Settings) -> tuple[str, str]:
    """DATABASE_URL and REDIS_URL, checked at start-up (the app object can exist without them)."""
    if not settings.database_url:
        raise UnsafeSettingsError(
            "DATABASE_URL",
            None,
            "the API needs the warehouse database (`cryptoflow up` sets it for its processes)",
        )
    if not settings.redis_url:
        raise UnsafeSettingsError("REDIS_URL", None, "the API needs Redis")
    return settings.database_url, settings.redis_url
