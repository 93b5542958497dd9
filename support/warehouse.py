"""The warehouse tests and benchmarks run against, built by the real pipeline on simulator data.

One recipe for `tests/conftest.py` (the session's template database) and `bench/` (the
benchmarks' scratch warehouse); it lives in `support/`, the tests' and benchmarks' own package
that the wheel does not ship.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from api.migrate import upgrade as migrate_app_schema
from cryptoflow.db import create_database, create_schemas
from cryptoflow.simulator.server import RunningSimulator, SimConfig, serve_in_thread

SIM_SEED = 42


def prepare_database(database_url: str) -> None:
    """What `cryptoflow migrate` does: the platform's schemas, the `app` tables at Alembic's head."""
    create_schemas(database_url)
    migrate_app_schema(database_url)


@dataclass(frozen=True)
class BuiltWarehouse:
    """A database with the whole pipeline's output (the tests' template: see docs/contracts.md)."""

    dbname: str
    url: str
    sim_now: datetime  # the simulator instant of the newest snapshot in it
    check_evaluations: tuple[Any, ...]  # dagster AssetCheckEvaluations of the build run
    materialized: frozenset[Any]  # dagster AssetKeys the build run materialized
    build_s: float


def build_warehouse(database_url: str, sim: RunningSimulator) -> tuple[Any, datetime]:
    """The real pipeline on simulator data: 365-day backfill two days ago, two earlier snapshots,
    then one run of everything (snapshot + incremental history + dbt build and tests) at `now`.

    The backfill starts two days back so the 365-day analytics period has its 366 closes.
    Returns the last run's `ExecuteInProcessResult` and the simulator instant it ran at.
    """
    import dagster as dg
    from dagster_dlt import DagsterDltResource

    from orchestration.ingest.assets import coingecko_history_assets, coingecko_snapshot_assets
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
    everything = [coingecko_snapshot_assets, coingecko_history_assets, warehouse_dbt_assets]
    return dg.materialize(everything, resources=resources, raise_on_error=False), now


def new_warehouse(pg_server_url: str, dbname: str) -> BuiltWarehouse:
    """Database `dbname` on that server, prepared, then filled by `build_warehouse` with a
    simulator (seed 42) of its own. RuntimeError naming the failures when the run failed; the
    database is left for the caller to drop either way."""
    started = time.monotonic()
    url = create_database(pg_server_url, dbname)
    prepare_database(url)
    with serve_in_thread(SimConfig(seed=SIM_SEED)) as sim:
        result, sim_now = build_warehouse(url, sim)
    if not result.success:
        failures = [event.message for event in result.all_events if event.is_failure]
        raise RuntimeError(f"building the warehouse failed: {failures}")
    return BuiltWarehouse(
        dbname=dbname,
        url=url,
        sim_now=sim_now,
        check_evaluations=tuple(result.get_asset_check_evaluations()),
        materialized=frozenset(
            event.asset_key for event in result.get_asset_materialization_events()
        ),
        build_s=time.monotonic() - started,
    )
