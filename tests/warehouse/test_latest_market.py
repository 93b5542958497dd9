"""mv_latest_market_data: one row per coin, the newest snapshot, refreshed by the next ingest."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import dagster as dg
import numpy as np

from cryptoflow.simulator.server import RunningSimulator
from orchestration.jobs import ingest_job
from tests.warehouse.warehouse_support import ALL_ASSETS, execute, pipeline_resources

NEWEST_RAW = """
    select distinct on (id) id, last_updated, current_price
    from raw.markets order by id, last_updated desc
"""
MV = "select coin_id, snapshot_at, price_usd from marts.mv_latest_market_data"


def _by_coin(rows: list[Any]) -> dict[str, tuple[Any, float]]:
    return {row[0]: (row[1], row[2]) for row in rows}


def test_one_row_per_coin_with_its_newest_snapshot(warehouse_db: str) -> None:
    mv = execute(warehouse_db, MV)
    newest = _by_coin(execute(warehouse_db, NEWEST_RAW))

    assert len(mv) == len({row[0] for row in mv}) == 50
    assert _by_coin(mv) == newest
    sparklines = execute(
        warehouse_db,
        "select min(jsonb_array_length(sparkline_7d)) from marts.mv_latest_market_data",
    )
    assert sparklines[0][0] == 168  # hourly prices of 7 days


def test_new_ingest_and_refresh_show_the_new_price(
    warehouse_db: str, warehouse_template: Any, sim_server: RunningSimulator
) -> None:
    before = _by_coin(execute(warehouse_db, MV))
    tick_at = warehouse_template.sim_now + timedelta(minutes=10)
    sim_server.set_clock(tick_at)

    started = time.monotonic()
    result = dg.materialize(
        ALL_ASSETS,
        selection=ingest_job.selection,
        resources=pipeline_resources(warehouse_db, sim_server.base_url),
    )
    elapsed = time.monotonic() - started

    assert result.success
    after = _by_coin(execute(warehouse_db, MV))
    assert after == _by_coin(execute(warehouse_db, NEWEST_RAW))
    assert {snapshot_at for snapshot_at, _ in after.values()} == {tick_at}
    moved = [coin for coin in after if after[coin][1] != before[coin][1]]
    assert len(moved) >= 45  # stablecoins may sit still; every other coin has a new price
    print(
        f"\ningest tick (dlt snapshot + dbt after-ingest subset + tests), in-process: {elapsed:.1f} s"
    )


def test_lookup_by_coin_id_is_sub_millisecond(warehouse_db: str) -> None:
    indexes = execute(
        warehouse_db,
        "select indexdef from pg_indexes where schemaname = 'marts' "
        "and tablename = 'mv_latest_market_data'",
    )
    assert any("UNIQUE" in definition and "(coin_id)" in definition for (definition,) in indexes)

    timings = []
    for _ in range(5):
        plan = execute(
            warehouse_db,
            "explain (analyze, format json) "
            "select * from marts.mv_latest_market_data where coin_id = 'bitcoin'",
        )[0][0][0]
        timings.append(plan["Execution Time"])
    best = float(np.min(timings))
    print(f"\nEXPLAIN ANALYZE lookup by coin_id: {best:.3f} ms ({plan['Plan']['Node Type']})")
    assert best < 1.0
