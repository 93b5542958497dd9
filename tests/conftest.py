"""Shared fixtures: every test gets its own PostgreSQL database and its own Redis namespace.

Tests use the machine's PostgreSQL/Redis (`TEST_DATABASE_URL`, `TEST_REDIS_URL`; defaults are the
local servers). Where none answers, the session starts the embedded ones (`cryptoflow.services`,
what `cryptoflow up` runs on a fresh machine) instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from cryptoflow.db import create_database, drop_database, make_engine
from cryptoflow.simulator.server import RunningSimulator, SimConfig, serve_in_thread
from support.servers import LOCAL_PG_SERVER_URL, LOCAL_REDIS_URL, postgres_server, redis_server
from support.warehouse import BuiltWarehouse, new_warehouse, prepare_database


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a PostgreSQL server on which tests may create and drop databases."""
    url = os.environ.get("TEST_DATABASE_URL", LOCAL_PG_SERVER_URL)
    with postgres_server(url, tmp_path_factory.mktemp("embedded")) as server_url:
        yield server_url


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("TEST_REDIS_URL", LOCAL_REDIS_URL)
    with redis_server(url, tmp_path_factory.mktemp("embedded")) as server_url:
        yield server_url


def new_database_name() -> str:
    return f"cf_test_{uuid.uuid4().hex[:12]}"


def new_database(pg_server_url: str, *, template: str | None = None) -> tuple[str, str]:
    name = new_database_name()
    url = create_database(pg_server_url, name, template=template)
    return name, url


@pytest.fixture
def database_url(pg_server_url: str) -> Iterator[str]:
    """A brand-new database with the platform's schemas and `app` tables, dropped after the test."""
    name, url = new_database(pg_server_url)
    prepare_database(url)
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


@pytest.fixture(scope="session")
def warehouse_template(pg_server_url: str) -> Iterator[BuiltWarehouse]:
    """ONE database per session with the full pipeline on simulator data (50 coins, 365 days of
    history, three snapshots, dbt build, every check), marked as a PostgreSQL template."""
    name = new_database_name()
    try:
        template = new_warehouse(pg_server_url, name)
        _set_template(pg_server_url, name, is_template=True)
        try:
            yield template
        finally:
            _set_template(pg_server_url, name, is_template=False)
    finally:
        drop_database(pg_server_url, name)


def _set_template(pg_server_url: str, dbname: str, *, is_template: bool) -> None:
    engine = make_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            flag = "true" if is_template else "false"
            conn.execute(sa.text(f'alter database "{dbname}" with is_template {flag}'))
    finally:
        engine.dispose()


@pytest.fixture
def warehouse_db(pg_server_url: str, warehouse_template: BuiltWarehouse) -> Iterator[str]:
    """URL of a fresh clone of the warehouse template (~0.3 s), dropped after the test."""
    name, url = new_database(pg_server_url, template=warehouse_template.dbname)
    try:
        yield url
    finally:
        drop_database(pg_server_url, name)
