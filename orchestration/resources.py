"""Resources shared by the code location, configured from the environment like every other part.

Connection values come from `dg.EnvVar` when the variable is set (the Dagster UI then shows
the variable's name, not its value), else from the platform's settings defaults. Pointing
`COINGECKO_BASE_URL` at the simulator swaps the data source: nothing else changes.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import dagster as dg
import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.engine import Engine

from cryptoflow.coingecko import CoinGeckoClient
from cryptoflow.db import dlt_url, make_engine
from cryptoflow.platform_events import encode_event, events_channel
from cryptoflow.settings import Settings, get_settings


class CoinGeckoResource(dg.ConfigurableResource):
    """CoinGecko's API (or the simulator speaking it), and how much of the market to load."""

    base_url: str
    api_key: str | None = None
    rate_limit: int = 30
    max_retries: int = 5
    timeout_s: float = 20.0
    backoff_s: float = 1.0
    top_n: int = 50
    history_days: int = 365

    def client(self) -> CoinGeckoClient:
        return CoinGeckoClient(
            base_url=self.base_url,
            api_key=self.api_key or None,
            rate_limit_per_min=self.rate_limit,
            max_retries=self.max_retries,
            timeout_s=self.timeout_s,
            backoff_s=self.backoff_s,
        )


class WarehouseResource(dg.ConfigurableResource):
    """The platform's PostgreSQL database (`DATABASE_URL`), rendered for each client.

    Before a run's first step (or a sensor's tick) uses it, the `app` tables the assets, checks
    and sensors write are brought to Alembic's head, so the code location works on a brand-new
    database without `cryptoflow migrate`.
    """

    database_url: str
    redis_url: str | None = Field(
        default=None, description="where platform events are published; None: not published"
    )
    redis_namespace: str = "cryptoflow"

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        ensure_app_tables(self.database_url)

    def engine(self) -> Engine:
        """A short-lived engine: sensors and assets open it per use, never a global pool."""
        return make_engine(self.database_url, poolclass=sa.pool.NullPool)

    def publish_events(self, events: list[dict[str, Any]]) -> None:
        """Publish platform events to every API process. Best effort: an API that misses one
        still sees the new data version within its polling interval."""
        if not events or not self.redis_url:
            return
        # imported here: the code location loads in every run worker before the run starts
        import redis
        from redis.exceptions import RedisError

        client = redis.Redis.from_url(self.redis_url, socket_timeout=2, socket_connect_timeout=2)
        try:
            channel = events_channel(self.redis_namespace)
            for event in events:
                client.publish(channel, encode_event(**event))
        except (RedisError, OSError) as exc:
            dg.get_dagster_logger().warning(f"platform events not published: {exc}")
        finally:
            client.close()

    @property
    def dlt_credentials(self) -> str:
        return dlt_url(self.database_url)


_app_tables_ready: set[str] = set()
_app_tables_lock = threading.Lock()


def ensure_app_tables(database_url: str) -> None:
    """Alembic upgrade of the `app` schema, once per process and database.

    Alembic stays the owner of `app`: this runs its upgrade (`api.migrate`, the one part of `api`
    the orchestration uses), a no-op at head; concurrent processes take turns on its advisory lock.
    """
    with _app_tables_lock:
        if database_url in _app_tables_ready:
            return
        from api.migrate import upgrade

        upgrade(database_url)
        _app_tables_ready.add(database_url)


def _env_or(name: str, default: Any, *, as_int: bool = False) -> Any:
    """`dg.EnvVar(name)` when the variable is set, else the settings default."""
    if name not in os.environ:
        return default
    return dg.EnvVar.int(name) if as_int else dg.EnvVar(name)


def coingecko_resource(settings: Settings | None = None) -> CoinGeckoResource:
    s = settings or get_settings()
    return CoinGeckoResource(
        base_url=_env_or("COINGECKO_BASE_URL", s.coingecko_base_url),
        api_key=_env_or("COINGECKO_API_KEY", s.coingecko_api_key),
        rate_limit=_env_or("COINGECKO_RATE_LIMIT", s.coingecko_rate_limit, as_int=True),
        max_retries=_env_or("COINGECKO_MAX_RETRIES", s.coingecko_max_retries, as_int=True),
        timeout_s=s.coingecko_timeout_s,
        backoff_s=s.coingecko_backoff_s,
        top_n=_env_or("CRYPTOFLOW_TOP_N", s.top_n_coins, as_int=True),
        history_days=_env_or("CRYPTOFLOW_HISTORY_DAYS", s.history_days, as_int=True),
    )


def warehouse_resource(settings: Settings | None = None) -> WarehouseResource:
    s = settings or get_settings()
    return WarehouseResource(
        database_url=dg.EnvVar("DATABASE_URL"),
        redis_url=_env_or("REDIS_URL", None),
        redis_namespace=_env_or("CRYPTOFLOW_REDIS_NAMESPACE", s.redis_namespace),
    )
