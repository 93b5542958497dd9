"""Shared fixtures: every test gets its own PostgreSQL database and its own Redis namespace.

Tests use the machine's PostgreSQL/Redis (`TEST_DATABASE_URL`, `TEST_REDIS_URL`; defaults are the
local servers). Where none answers, the session starts the embedded ones (`cryptoflow.services`,
what `cryptoflow up` runs on a fresh machine) instead.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from api.migrate import upgrade as migrate_app_schema
from cryptoflow.db import PgParts, create_database, create_schemas, drop_database, make_engine
from cryptoflow.services import (
    EmbeddedPostgres,
    EmbeddedRedis,
    free_port,
    postgres_answers,
    redis_answers,
)
from cryptoflow.simulator.server import RunningSimulator, SimConfig, serve_in_thread

DEFAULT_TEST_DATABASE_URL = "postgresql://postgres:@127.0.0.1:5432/postgres"
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a PostgreSQL server on which tests may create and drop databases."""
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
    if postgres_answers(url):
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
    if redis_answers(url):
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


@dataclass(frozen=True)
class WarehouseTemplate:
    """A database with the whole pipeline's output, cloned by `warehouse_db` (see contracts)."""

    dbname: str
    url: str
    sim_now: datetime  # the simulator instant of the newest snapshot in it
    check_evaluations: tuple[Any, ...]  # dagster AssetCheckEvaluations of the build run
    materialized: frozenset[Any]  # dagster AssetKeys the build run materialized
    build_s: float


def build_warehouse(database_url: str, sim: RunningSimulator) -> tuple[Any, datetime]:
    """The real pipeline on simulator data: 365-day backfill two days ago, two earlier snapshots,
    then one run of everything (snapshot + incremental history + dbt build + checks) at `now`.

    The backfill starts two days back so the 365-day analytics period has its 366 closes.
    Returns the last run's `ExecuteInProcessResult` and the simulator instant it ran at.
    """
    import dagster as dg
    from dagster_dlt import DagsterDltResource

    from orchestration.ingest.assets import coingecko_history_assets, coingecko_snapshot_assets
    from orchestration.quality.checks import quality_checks
    from orchestration.resources import CoinGeckoResource, WarehouseResource
    from orchestration.warehouse.assets import warehouse_dbt_assets
    from orchestration.warehouse.resources import warehouse_dbt

    resources = {
        "dlt": DagsterDltResource(),
        "coingecko": CoinGeckoResource(
            base_url=sim.base_url, top_n=50, history_days=365, rate_limit=100_000, backoff_s=0.05
        ),
        "warehouse": WarehouseResource(database_url=database_url),
        "dbt": warehouse_dbt(database_url),
    }
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    sim.set_clock(now - timedelta(days=2))
    dg.materialize([coingecko_history_assets], resources=resources)
    for minutes_ago in (20, 10):
        sim.set_clock(now - timedelta(minutes=minutes_ago))
        dg.materialize([coingecko_snapshot_assets], resources=resources)
    sim.set_clock(now)
    everything = [
        coingecko_snapshot_assets,
        coingecko_history_assets,
        warehouse_dbt_assets,
        *quality_checks,
    ]
    return dg.materialize(everything, resources=resources, raise_on_error=False), now


@pytest.fixture(scope="session")
def warehouse_template(pg_server_url: str) -> Iterator[WarehouseTemplate]:
    """ONE database per session with the full pipeline on simulator data (50 coins, 365 days of
    history, three snapshots, dbt build, every check), marked as a PostgreSQL template."""
    started = time.monotonic()
    name, url = new_database(pg_server_url)
    create_schemas(url)
    migrate_app_schema(url)
    try:
        with serve_in_thread(SimConfig(seed=42)) as sim:
            result, sim_now = build_warehouse(url, sim)
        if not result.success:
            failures = [event.message for event in result.all_events if event.is_failure]
            raise RuntimeError(f"the warehouse template build failed: {failures}")
        template = WarehouseTemplate(
            dbname=name,
            url=url,
            sim_now=sim_now,
            check_evaluations=tuple(result.get_asset_check_evaluations()),
            materialized=frozenset(
                event.asset_key for event in result.get_asset_materialization_events()
            ),
            build_s=time.monotonic() - started,
        )
        _set_template(pg_server_url, name, is_template=True)
        yield template
    finally:
        _set_template(pg_server_url, name, is_template=False)
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
def warehouse_db(pg_server_url: str, warehouse_template: WarehouseTemplate) -> Iterator[str]:
    """URL of a fresh clone of the warehouse template (~0.3 s), dropped after the test."""
    name, url = new_database(pg_server_url, template=warehouse_template.dbname)
    try:
        yield url
    finally:
        drop_database(pg_server_url, name)
