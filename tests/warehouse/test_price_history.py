"""fact_price_hourly / fact_price_daily: the newest fact of each UTC hour / day (the history
endpoint's points), also after an incremental ingest tick."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dagster as dg
import polars as pl

from cryptoflow.simulator.server import RunningSimulator
from orchestration.jobs import ingest_job
from tests.warehouse.warehouse_reference import read_frame
from tests.warehouse.warehouse_support import ALL_ASSETS, execute, pipeline_resources

COLUMNS = ["coin_id", "snapshot_at", "price_usd", "market_cap_usd", "volume_24h_usd"]


def newest_fact_per(database_url: str, every: str) -> pl.DataFrame:
    """Recomputed in Polars from fact_market_data: the newest fact of each UTC `every`."""
    facts = read_frame(database_url, f"select {', '.join(COLUMNS)} from marts.fact_market_data")
    return (
        facts.with_columns(pl.col("snapshot_at").dt.convert_time_zone("UTC"))
        .sort(["coin_id", "snapshot_at"])
        .group_by(["coin_id", pl.col("snapshot_at").dt.truncate(every).alias("interval")])
        .agg(pl.all().last())
        .select(COLUMNS)
        .sort(["coin_id", "snapshot_at"])
    )


def mart(database_url: str, table: str) -> pl.DataFrame:
    return read_frame(
        database_url, f"select {', '.join(COLUMNS)} from marts.{table} order by 1, 2"
    ).with_columns(pl.col("snapshot_at").dt.convert_time_zone("UTC"))


def assert_marts_hold_the_newest_fact_of_each_interval(database_url: str) -> None:
    assert mart(database_url, "fact_price_hourly").equals(newest_fact_per(database_url, "1h"))
    assert mart(database_url, "fact_price_daily").equals(newest_fact_per(database_url, "1d"))


def test_each_point_is_the_newest_fact_of_its_hour_or_day(warehouse_db: str) -> None:
    assert_marts_hold_the_newest_fact_of_each_interval(warehouse_db)
    buckets = execute(
        warehouse_db,
        """
        select
            count(*) filter (where hour_at <> date_trunc('hour', snapshot_at, 'utc')),
            (select count(*) filter (where date_day <> (snapshot_at at time zone 'utc')::date)
             from marts.fact_price_daily)
        from marts.fact_price_hourly
        """,
    )
    assert buckets == [(0, 0)]
    # a daily point is that day's close in fact_daily_ohlcv
    mismatched = execute(
        warehouse_db,
        """
        select count(*) from marts.fact_price_daily as points
        full join marts.fact_daily_ohlcv as bars using (coin_id, date_day)
        where points.price_usd is distinct from bars.close
            or points.volume_24h_usd is distinct from bars.volume
        """,
    )
    assert mismatched == [(0,)]


def test_an_ingest_tick_makes_the_new_snapshot_the_newest_point(
    warehouse_db: str, warehouse_template: Any, sim_server: RunningSimulator
) -> None:
    tick_at = warehouse_template.sim_now + timedelta(minutes=10)
    sim_server.set_clock(tick_at)
    result = dg.materialize(
        ALL_ASSETS,
        selection=ingest_job.selection,
        resources=pipeline_resources(warehouse_db, sim_server.base_url),
    )
    assert result.success
    newest = execute(
        warehouse_db,
        """
        select table_name, count(distinct coin_id), min(newest_at), max(newest_at) from (
            select 'hourly' as table_name, coin_id, max(snapshot_at) as newest_at
            from marts.fact_price_hourly group by coin_id
            union all
            select 'daily', coin_id, max(snapshot_at) from marts.fact_price_daily group by coin_id
        ) as per_coin
        group by table_name order by table_name
        """,
    )
    assert newest == [("daily", 50, tick_at, tick_at), ("hourly", 50, tick_at, tick_at)]
    assert_marts_hold_the_newest_fact_of_each_interval(warehouse_db)  # incremental = full
