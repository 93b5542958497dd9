"""Reruns, overlapping backfills and retried failures leave exactly one fact per coin and instant.

Each test runs the platform's own jobs (dlt load + dbt build through Dagster) on a clone of the
warehouse template, against the simulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import dagster as dg
import pytest

from cryptoflow.simulator.server import RunningSimulator
from orchestration.jobs import history_job, ingest_job
from support.warehouse import BuiltWarehouse
from tests.reliability.pipeline_support import query, scalar
from tests.warehouse.warehouse_support import ALL_ASSETS, execute, pipeline_resources

FIVE_MINUTES = timedelta(minutes=5)


@pytest.fixture
def sim(
    sim_server: RunningSimulator, warehouse_template: BuiltWarehouse
) -> Iterator[RunningSimulator]:
    sim_server.set_clock(warehouse_template.sim_now)
    yield sim_server


def run(job: Any, database_url: str, sim: RunningSimulator) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        ALL_ASSETS,
        selection=job.selection,
        resources=pipeline_resources(database_url, sim.base_url),
        raise_on_error=False,
    )


def facts(database_url: str) -> dict[str, int]:
    [(rows, keys, snapshots)] = query(
        database_url,
        """
        select count(*), count(distinct (coin_id, snapshot_at)),
            count(*) filter (where source = 'snapshot')
        from marts.fact_market_data
        """,
    )
    assert rows == keys, f"{rows - keys} duplicate (coin, snapshot_at) facts"
    bars = scalar(
        database_url,
        "select count(*) - count(distinct (coin_id, date_day)) from marts.fact_daily_ohlcv",
    )
    assert bars == 0, f"{bars} duplicate (coin, day) bars"
    return {"facts": rows, "snapshot facts": snapshots}


def next_grid_point(moment: datetime) -> datetime:
    """The first 5-minute boundary after `moment`: where history points and snapshots meet."""
    return moment - (moment - moment.replace(minute=0)) % FIVE_MINUTES + FIVE_MINUTES


def age_loads(database_url: str, *, snapshot_at: datetime, hours: int) -> None:
    """Make the snapshot at `snapshot_at` look loaded `hours` ago (outside dbt's re-read window)."""
    execute(
        database_url,
        "update raw.markets set _dlt_load_id = (_dlt_load_id::numeric - :s)::text "
        "where last_updated = :at",
        s=hours * 3600,
        at=snapshot_at,
    )
    execute(
        database_url,
        "update marts.fact_market_data set loaded_at = loaded_at - make_interval(hours => :h) "
        "where snapshot_at = :at",
        h=hours,
        at=snapshot_at,
    )


def test_overlapping_loads_and_a_full_rerun_keep_one_fact_per_coin_and_instant(
    warehouse_db: str, warehouse_template: BuiltWarehouse, sim: RunningSimulator
) -> None:
    built = facts(warehouse_db)

    # A snapshot on the 5-minute grid, loaded two hours before the next history load...
    tick = next_grid_point(warehouse_template.sim_now)
    sim.set_clock(tick)
    assert run(ingest_job, warehouse_db, sim).success
    age_loads(warehouse_db, snapshot_at=tick, hours=2)
    assert facts(warehouse_db)["snapshot facts"] == built["snapshot facts"] + 50

    # ...then the daily history load (with its own snapshot): its 5-minute points overlap it.
    later = tick + timedelta(minutes=30)
    sim.set_clock(later)
    assert run(history_job, warehouse_db, sim).success
    after_history = facts(warehouse_db)
    kept = query(
        warehouse_db,
        "select source, count(*), count(market_cap_rank) from marts.fact_market_data "
        "where snapshot_at = :at group by 1",
        at=tick,
    )
    assert kept == [("snapshot", 50, 50)], "a history point replaced a snapshot"
    assert after_history["snapshot facts"] == built["snapshot facts"] + 100

    # The same run again, its history cursors lost: the same snapshot, and a backfill of the
    # whole year over everything already loaded. Nothing changes.
    execute(
        warehouse_db,
        "delete from raw._dlt_pipeline_state where pipeline_name = 'coingecko_history'",
    )
    assert run(history_job, warehouse_db, sim).success
    assert facts(warehouse_db) == after_history
    print(f"\nfacts: {built} built, {after_history} after an overlapping load and a full rerun")


REFUSE_OHLC = """
    create function raw.refuse_ohlc() returns trigger language plpgsql as $$
    begin raise exception 'injected fault: disk full'; end $$;
    create trigger refuse_ohlc before insert on raw.ohlc
        for each statement execute function raw.refuse_ohlc();
"""


def test_a_run_retried_after_failing_mid_load_loses_and_duplicates_nothing(
    warehouse_db: str, warehouse_template: BuiltWarehouse, sim: RunningSimulator
) -> None:
    since = warehouse_template.sim_now
    later = since + timedelta(minutes=30)
    sim.set_clock(later)
    execute(warehouse_db, REFUSE_OHLC)  # market_chart loads, then the ohlc merge fails
    failed = run(history_job, warehouse_db, sim)
    assert not failed.success
    newest_chart = scalar(
        warehouse_db,
        "select min(ts) from (select max(ts) as ts from raw.market_chart group by coin_id) as newest",
    )
    assert newest_chart == later, "the load did not fail midway: market_chart was not loaded"

    execute(warehouse_db, "drop trigger refuse_ohlc on raw.ohlc")
    assert run(history_job, warehouse_db, sim).success
    facts(warehouse_db)
    # Every coin has each 5-minute point since the template once, as a fact too, and its
    # candles up to the last half hour: the failed run's cursors were not kept.
    points = query(
        warehouse_db,
        """
        select chart.coin_id, count(distinct chart.ts), count(fact.snapshot_at),
            (select max(ts) from raw.ohlc where ohlc.coin_id = chart.coin_id)
        from raw.market_chart as chart
        left join marts.fact_market_data as fact
            on fact.coin_id = chart.coin_id and fact.snapshot_at = chart.ts
        where chart.ts > :since
        group by 1
        """,
        since=since,
    )
    grid = [next_grid_point(since) + FIVE_MINUTES * i for i in range(7)]
    expected_points = len([t for t in grid if t < later]) + 1  # the grid, then "now"
    last_close = later.replace(minute=later.minute - later.minute % 30)
    assert len(points) == 50
    for coin_id, distinct, as_facts, newest_candle in points:
        assert (distinct, as_facts, newest_candle) == (
            expected_points,
            expected_points,
            last_close,
        ), coin_id
