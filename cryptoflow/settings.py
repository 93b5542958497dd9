"""The one settings object of the platform, read from the environment (and `.env`)."""

from __future__ import annotations

import contextlib
import re
import sys
import traceback
from collections.abc import Iterator
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, NoReturn
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from cryptoflow.coingecko import PUBLIC_BASE_URL
from cryptoflow.platform_events import events_channel

DEFAULT_JWT_SECRET = "cryptoflow-development-secret-change-me"  # refused in production
PROJECT_ROOT = Path(__file__).resolve().parent.parent
BAD_SETTINGS_EXIT = 2  # the status of every process refusing its settings (as for a usage error)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Whole values hidden in messages: a name containing one of these is a secret.
_SECRET_NAME_PARTS = ("SECRET", "PASSWORD", "API_KEY", "TOKEN")
_SECRET_QUERY_KEYS = frozenset({"password", "key", "api_key", "token", "secret"})
MASK = "***"


def masked(setting: str, value: object) -> str:
    """`value` as it may be shown: secrets whole, and passwords/keys inside URLs, become `***`."""
    if value is None:
        return "(unset)"
    text = str(value)
    if any(part in setting.upper() for part in _SECRET_NAME_PARTS):
        return MASK if text else "''"
    return repr(masked_url(text))


def masked_url(text: str) -> str:
    """`text` with a URL's password and secret query parameters replaced by `***`."""
    try:
        split = urlsplit(text)
        password = split.password
    except ValueError:
        return text
    if not split.netloc and "@" in text:  # no "//": whatever precedes "@" may hold a password
        return re.sub(r"([^:/@]+):[^@]*@", rf"\1:{MASK}@", text, count=1)
    netloc = split.netloc
    if password:
        userinfo, _, hostinfo = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{MASK}@{hostinfo}"
    query = split.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(key.lower() in _SECRET_QUERY_KEYS for key, _ in pairs):
            query = urlencode(
                [(k, MASK if k.lower() in _SECRET_QUERY_KEYS else v) for k, v in pairs], safe="*/"
            )
    if (netloc, query) == (split.netloc, split.query):
        return text
    return urlunsplit(split._replace(netloc=netloc, query=query))


class SettingsError(Exception):
    """A setting the platform cannot run with. `str()` is the one line a user sees: the setting,
    its value (masked when secret) and why; every entry point exits with it (`exit_on_bad_settings`).
    """

    def __init__(self, setting: str, value: object, reason: str) -> None:
        self.setting = setting
        self.value = value
        self.reason = " ".join(reason.split())  # one line, whatever the cause's message held
        super().__init__(f"bad setting {setting}={masked(setting, value)}: {self.reason}")

    @classmethod
    def from_validation(cls, exc: ValidationError) -> SettingsError:
        """The first failing setting of a `Settings()` validation, naming the others."""
        errors = exc.errors()
        first = errors[0]
        reason = str(first["msg"]).removeprefix("Value error, ")
        others = sorted({str(e["loc"][0]) for e in errors[1:] if e["loc"]} - {str(first["loc"][0])})
        if others:
            reason += f" (also bad: {', '.join(others)})"
        return cls(str(first["loc"][0]) if first["loc"] else "settings", first.get("input"), reason)


class _Verbosity(BaseSettings):
    """Only the log level, read the way `Settings` reads it: usable when `Settings` itself fails."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")
    log_level: str = Field(default="INFO", validation_alias="CRYPTOFLOW_LOG_LEVEL")


@contextlib.contextmanager
def exit_on_bad_settings(*, status: int = BAD_SETTINGS_EXIT) -> Iterator[None]:
    """Turn a `SettingsError` raised in the block into its one line on stderr and exit `status`.

    The CLI and every server entry point use this, so a wrong variable reads the same everywhere
    and never as a traceback (the traceback is printed too with `CRYPTOFLOW_LOG_LEVEL=DEBUG`).
    """
    try:
        yield
    except SettingsError as exc:
        report_and_exit(exc, status=status)


def report_and_exit(exc: SettingsError, *, status: int = BAD_SETTINGS_EXIT) -> NoReturn:
    if _Verbosity().log_level.strip().upper() == "DEBUG":
        traceback.print_exception(exc)
    print(str(exc), file=sys.stderr, flush=True)
    raise SystemExit(status)


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Source(StrEnum):
    AUTO = "auto"
    COINGECKO = "coingecko"
    SIM = "sim"


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


def _url_ok(value: str, schemes: set[str], *, numeric_path: bool = False) -> bool:
    """`value` has one of `schemes`, a host (or is a unix socket path) and a numeric port if any."""
    try:
        split = urlsplit(value)
        split.port  # noqa: B018 - raises ValueError on a non-numeric or out-of-range port
    except ValueError:
        return False
    if split.scheme not in schemes:
        return False
    if split.scheme == "unix":
        return bool(split.path)
    path = split.path.lstrip("/")
    return bool(split.hostname) and (not numeric_path or not path or path.isdigit())


class Settings(BaseSettings):
    """Every knob of CryptoFlow. Connection URLs use standard names, the rest `CRYPTOFLOW_*`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(
        default=None,
        validation_alias=_env("DATABASE_URL"),
        description="postgresql://user:pass@host:port/db; unset = embedded PostgreSQL",
    )
    redis_url: str | None = Field(
        default=None,
        validation_alias=_env("REDIS_URL"),
        description="redis://host:port/db; unset = embedded Redis",
    )
    data_dir: Path = Field(
        default=PROJECT_ROOT / ".data",
        validation_alias=_env("CRYPTOFLOW_DATA_DIR"),
        description="where embedded PostgreSQL/Redis and Dagster keep their files",
    )
    env: Environment = Field(
        default=Environment.DEVELOPMENT, validation_alias=_env("CRYPTOFLOW_ENV")
    )
    source: Source = Field(default=Source.AUTO, validation_alias=_env("CRYPTOFLOW_SOURCE"))
    log_level: str = Field(default="INFO", validation_alias=_env("CRYPTOFLOW_LOG_LEVEL"))

    coingecko_base_url: str = Field(
        default=PUBLIC_BASE_URL, validation_alias=_env("COINGECKO_BASE_URL")
    )
    coingecko_api_key: str | None = Field(default=None, validation_alias=_env("COINGECKO_API_KEY"))
    coingecko_rate_limit: int = Field(
        default=30, ge=1, validation_alias=_env("COINGECKO_RATE_LIMIT"), description="calls/min"
    )
    coingecko_max_retries: int = Field(
        default=5, ge=0, validation_alias=_env("COINGECKO_MAX_RETRIES")
    )
    coingecko_timeout_s: float = Field(default=20.0, validation_alias=_env("COINGECKO_TIMEOUT"))
    coingecko_backoff_s: float = Field(
        default=1.0,
        gt=0,
        validation_alias=_env("COINGECKO_BACKOFF_S"),
        description="first retry delay after a 5xx/timeout; doubles per try (429s wait Retry-After)",
    )
    top_n_coins: int = Field(default=50, ge=1, le=250, validation_alias=_env("CRYPTOFLOW_TOP_N"))
    history_days: int = Field(
        default=365, ge=1, le=365, validation_alias=_env("CRYPTOFLOW_HISTORY_DAYS")
    )

    price_stream_url: str | None = Field(
        default=None,
        validation_alias=_env("PRICE_STREAM_URL"),
        description="live feed; unset = Binance public miniTicker (or the simulator's stream)",
    )
    redis_namespace: str = Field(
        default="cryptoflow",
        validation_alias=_env("CRYPTOFLOW_REDIS_NAMESPACE"),
        description="prefix of the prices channel and latest-price hash",
    )
    stream_log_interval_s: float = Field(
        default=60.0,
        gt=0,
        validation_alias=_env("CRYPTOFLOW_STREAM_LOG_INTERVAL_S"),
        description="how often the consumer logs its tick/error counts",
    )
    ws_coalesce_ms: int = Field(
        default=50,
        ge=0,
        le=1000,
        validation_alias=_env("CRYPTOFLOW_WS_COALESCE_MS"),
        description="longest pause between two fan-outs (each pauses half as long as the last took)",
    )
    ws_client_buffer_kb: int = Field(
        default=256,
        ge=1,
        validation_alias=_env("CRYPTOFLOW_WS_CLIENT_BUFFER_KB"),
        description="unsent KiB a WebSocket client may have before its frames are dropped",
    )
    ws_heartbeat_s: float = Field(
        default=15.0,
        gt=0,
        validation_alias=_env("CRYPTOFLOW_WS_HEARTBEAT_S"),
        description="interval of the heartbeat frame sent to every WebSocket client",
    )

    jwt_secret: str = Field(default=DEFAULT_JWT_SECRET, validation_alias=_env("JWT_SECRET"))
    jwt_algorithm: str = Field(default="HS256", validation_alias=_env("JWT_ALGORITHM"))
    jwt_expire_minutes: int = Field(
        default=60 * 24, ge=1, validation_alias=_env("JWT_EXPIRE_MINUTES")
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:8000", "http://127.0.0.1:8000"],
        validation_alias=_env("CORS_ORIGINS"),
        description="comma-separated list",
    )
    risk_free_rate: float = Field(default=0.0, validation_alias=_env("RISK_FREE_RATE"))

    api_host: str = Field(default="127.0.0.1", validation_alias=_env("CRYPTOFLOW_API_HOST"))
    api_port: int = Field(default=8000, validation_alias=_env("CRYPTOFLOW_API_PORT"))
    api_workers: int = Field(default=1, ge=1, validation_alias=_env("CRYPTOFLOW_API_WORKERS"))
    api_db_pool_size: int = Field(
        default=10,
        ge=1,
        le=100,
        validation_alias=_env("CRYPTOFLOW_API_DB_POOL_SIZE"),
        description="PostgreSQL connections per API worker (as many again may overflow)",
    )
    api_versions_poll_s: float = Field(
        default=5.0,
        ge=0,
        validation_alias=_env("CRYPTOFLOW_API_VERSIONS_POLL_S"),
        description="how often each API process re-reads the data versions (events tell it at "
        "once; this bounds how long a missed event can hide a new version)",
    )
    login_max_failures: int = Field(
        default=5,
        ge=1,
        validation_alias=_env("CRYPTOFLOW_LOGIN_MAX_FAILURES"),
        description="failed logins per client IP and email before 429",
    )
    login_lockout_s: int = Field(
        default=900,
        ge=1,
        validation_alias=_env("CRYPTOFLOW_LOGIN_LOCKOUT_S"),
        description="window in which failed logins are counted",
    )
    dagster_port: int = Field(default=3000, validation_alias=_env("CRYPTOFLOW_DAGSTER_PORT"))
    dagster_ui_url: str | None = Field(
        default=None,
        validation_alias=_env("CRYPTOFLOW_DAGSTER_UI_URL"),
        description="the Dagster UI as browsers reach it (default http://127.0.0.1:<dagster port>)",
    )
    dagster_grpc_port: int = Field(
        default=4266, validation_alias=_env("CRYPTOFLOW_DAGSTER_GRPC_PORT")
    )
    embedded_redis_port: int = Field(
        default=6390, validation_alias=_env("CRYPTOFLOW_EMBEDDED_REDIS_PORT")
    )
    sim_port: int = Field(default=8765, validation_alias=_env("CRYPTOFLOW_SIM_PORT"))
    sim_seed: int = Field(default=42, validation_alias=_env("CRYPTOFLOW_SIM_SEED"))

    @field_validator("database_url", "redis_url", "price_stream_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value is not None:
            from cryptoflow.db import PgParts  # sqlalchemy: imported only when a URL is given

            try:
                PgParts.parse(value)
            except ValueError:
                raise ValueError(
                    "not a PostgreSQL URL (postgresql://user:pass@host:port/db)"
                ) from None
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not _url_ok(value, {"redis", "rediss", "unix"}, numeric_path=True):
            raise ValueError("not a Redis URL (redis://host:port/db)")
        return value

    @field_validator("coingecko_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not _url_ok(value, {"http", "https"}):
            raise ValueError("not an http(s):// URL")
        return value

    @field_validator("price_stream_url")
    @classmethod
    def _ws_url(cls, value: str | None) -> str | None:
        if value is not None and not _url_ok(value, {"ws", "wss"}):
            raise ValueError("not a ws(s):// URL")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"not a log level (one of {', '.join(LOG_LEVELS)})")
        return level

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @property
    def prices_channel(self) -> str:
        return f"{self.redis_namespace}:prices"

    @property
    def latest_prices_key(self) -> str:
        return f"{self.redis_namespace}:latest"

    @property
    def events_channel(self) -> str:
        return events_channel(self.redis_namespace)

    def dagster_run_url(self, run_id: str) -> str:
        """A run's page in the Dagster UI."""
        base = self.dagster_ui_url or f"http://127.0.0.1:{self.dagster_port}"
        return f"{base.rstrip('/')}/runs/{run_id}"

    @property
    def uses_default_jwt_secret(self) -> bool:
        return self.jwt_secret == DEFAULT_JWT_SECRET


@lru_cache
def get_settings() -> Settings:
    """The process's settings; a value they refuse raises `SettingsError` naming it."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError.from_validation(exc) from exc
