"""Shared fixtures: every test gets its own PostgreSQL database and its own Redis namespace.

Tests use the machine's PostgreSQL/Redis (`TEST_DATABASE_URL`, `TEST_REDIS_URL`; defaults are the
local servers). Where none answers, the session starts the embedded ones (SPEC §2) instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from api.migrate import upgrade as migrate_app_schema
from cryptoflow.db import PgParts, create_database, create_schemas, drop_database, make_engine
from cryptoflow.services import EmbeddedPostgres, EmbeddedRedis, free_port
from cryptoflow.simulator.server import RunningSimulator, SimConfig, serve_in_thread

DEFAULT_TEST_DATABASE_URL = "postgresql://postgres:@127.0.0.1:5432/postgres"
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/0"


def _postgres_answers(url: str) -> bool:
    engine = make_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except Exception:
        return False
    finally:
        engine.dispose()


def _redis_answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a PostgreSQL server on which tests may create and drop databases."""
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
    if _postgres_answers(url):
        yield url
        return
    embedded = EmbeddedPostgres(tmp_path_factory.mktemp("embedded") / "pg")
    try:
        yield PgParts.parse(embedded.start()).url(dbname="postgres")
    finally:
        embedded.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("TEST_REDIS_URL", DEFAULT_TEST_REDIS_URL)
    if _redis_answers(url):
        yield url
        return
    embedded = EmbeddedRedis(tmp_path_factory.mktemp("embedded") / "redis", port=free_port())
    try:
        yield embedded.start()
    finally:
        embedded.stop()


def new_database(pg_server_url: str, *, template: str | None = None) -> tuple[str, str]:
    name = f"cf_test_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_server_url, name, template=template)
    return name, url


@pytest.fixture
def database_url(pg_server_url: str) -> Iterator[str]:
    """A brand-new database with the platform's schemas and `app` tables, dropped after the test."""
    name, url = new_database(pg_server_url)
    create_schemas(url)
    migrate_app_schema(url)
    try:
        yield url
    finally:
        drop_database(pg_server_url, name)


@pytest.fixture
def redis_namespace() -> str:
    """A Redis key/channel prefix of this test's own."""
    return f"cftest-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture
def sim_server() -> Iterator[RunningSimulator]:
    """The market simulator (seed 42, real clock, no faults) on a free port, in this process.

    `sim_server.base_url` is the `COINGECKO_BASE_URL` (`http://127.0.0.1:PORT/api/v3`);
    `set_faults(rate_429=…, retry_after_s=…, rate_5xx=…, malformed_rate=…, …)`,
    `clear_faults()`, `set_clock(datetime | None)` and `stats()` drive it.
    """
    with serve_in_thread(SimConfig(seed=42)) as sim:
        yield sim
