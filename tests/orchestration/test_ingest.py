"""Ingest assets against the simulator and a real PostgreSQL database, through Dagster."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import dagster as dg
import sqlalchemy as sa

from cryptoflow.db import make_engine
from orchestration.ingest.assets import coingecko_history_assets, coingecko_snapshot_assets
from orchestration.resources import WarehouseResource
from orchestration.sensors import run_failure_sensor, run_success_sensor
from tests.orchestration.ingest_support import FROZEN_AT, ingest_resources

RAW_TABLES = ("markets", "global_market", "market_chart", "ohlc")


def query(database_url: str, sql: str, **params: object) -> list[tuple]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def counts(database_url: str, tables: tuple[str, ...] = RAW_TABLES) -> dict[str, int]:
    return {t: query(database_url, f"select count(*) from raw.{t}")[0][0] for t in tables}


def materialization_metadata(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    materializations = [
        event.step_materialization_data.materialization
        for event in result.get_asset_materialization_events()
    ]
    return {
        m.asset_key.path[-1]: {k: v.value for k, v in m.metadata.items()} for m in materializations
    }


def load_snapshot(database_url: str, sim, instance=None, **options) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [coingecko_snapshot_assets],
        resources=ingest_resources(database_url, sim.base_url, **options),
        instance=instance,
        raise_on_error=False,
    )


def sensor_context(instance, result, sensor_name: str, database_url: str):
    run = instance.get_run_by_id(result.run_id)
    event_type = (
        dg.DagsterEventType.RUN_SUCCESS if result.success else dg.DagsterEventType.RUN_FAILURE
    )
    event = next(e for e in result.all_events if e.event_type == event_type)
    return dg.build_run_status_sensor_context(
        sensor_name=sensor_name,
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=run,
        resources={"warehouse": WarehouseResource(database_url=database_url)},
    )


def pipeline_run(database_url: str, run_id: str) -> dict:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("select * from app.pipeline_runs where run_id = :r"), {"r": run_id}
        ).mappings()
        found = [dict(r) for r in row]
    engine.dispose()
    assert len(found) == 1
    return found[0]


def test_full_materialization_fills_raw_with_50_coins_and_a_year(database_url, frozen_sim):
    started = time.monotonic()
    result = dg.materialize(
        [coingecko_snapshot_assets, coingecko_history_assets],
        resources=ingest_resources(database_url, frozen_sim.base_url, top_n=50, history_days=365),
    )
    print(f"\nbackfill 50 coins x 365 days (all raw tables): {time.monotonic() - started:.1f} s")
    assert result.success
    per_coin = dict(
        query(database_url, "select coin_id, count(*) from raw.market_chart group by 1")
    )
    assert len(per_coin) == 50 and min(per_coin.values()) >= 365
    [(span,)] = query(
        database_url, "select max(ts) - min(ts) from raw.market_chart where coin_id = 'bitcoin'"
    )
    assert span >= timedelta(days=364)
    assert query(database_url, "select count(distinct id) from raw.markets") == [(50,)]
    assert query(database_url, "select count(distinct coin_id) from raw.ohlc") == [(50,)]
    assert counts(database_url)["global_market"] == 1
    metadata = materialization_metadata(result)
    assert metadata["market_chart"]["rows_loaded"] == sum(per_coin.values())
    assert metadata["markets"]["rows_loaded"] == 50
    assert metadata["markets"]["rejected_rows"] == 0
    # the finest grain per window: one markets page, then per coin market_chart?days=90
    # (hourly), market_chart?days=365 (daily, kept before the first hourly point), ohlc?days=30
    assert metadata["market_chart"]["api_calls"] == 1 + 50 * 3


def test_backfill_is_hourly_for_90_days_daily_before_and_4h_candles(database_url, frozen_sim):
    resources = ingest_resources(database_url, frozen_sim.base_url, top_n=3, history_days=365)
    assert dg.materialize([coingecko_history_assets], resources=resources).success
    now = FROZEN_AT
    gaps = dict(
        query(
            database_url,
            """
            select recent, percentile_disc(0.5) within group (order by gap)
            from (
                select ts > :cut as recent,
                    ts - lag(ts) over (partition by coin_id order by ts) as gap
                from raw.market_chart
            ) as points
            where gap is not null
            group by 1
            """,
            cut=now - timedelta(days=89),
        )
    )
    assert gaps == {True: timedelta(hours=1), False: timedelta(days=1)}
    [(hourly_since,)] = query(
        database_url,
        "select min(ts) from raw.market_chart "
        "where coin_id = 'bitcoin' and extract(hour from ts at time zone 'utc') <> 0",
    )
    assert now - timedelta(days=90, hours=1) <= hourly_since <= now - timedelta(days=89)
    candles = query(
        database_url,
        "select min(ts), max(ts), count(*), "
        "count(*) filter (where extract(epoch from ts)::bigint % (4 * 3600) <> 0) "
        "from raw.ohlc where coin_id = 'bitcoin'",
    )
    [(first, last, count, off_grid)] = candles
    assert off_grid == 0 and count == 30 * 6
    assert last - first == timedelta(hours=4 * (30 * 6 - 1))


def test_same_snapshot_twice_adds_no_row(database_url, frozen_sim):
    assert load_snapshot(database_url, frozen_sim).success
    first = counts(database_url, ("markets", "global_market"))
    assert first == {"markets": 5, "global_market": 1}
    assert load_snapshot(database_url, frozen_sim).success
    assert counts(database_url, ("markets", "global_market")) == first

    frozen_sim.set_clock(FROZEN_AT + timedelta(minutes=10))  # the next 10-minute tick
    started = time.monotonic()
    assert load_snapshot(database_url, frozen_sim).success
    print(f"\none 10-minute tick (raw snapshot load): {time.monotonic() - started:.2f} s")
    assert counts(database_url, ("markets", "global_market")) == {"markets": 10, "global_market": 2}


def test_history_is_incremental_and_idempotent(database_url, frozen_sim):
    history = [coingecko_history_assets]
    resources = ingest_resources(database_url, frozen_sim.base_url, top_n=3, history_days=30)
    assert dg.materialize(history, resources=resources).success
    backfill = counts(database_url, ("market_chart", "ohlc"))
    assert backfill["market_chart"] == 3 * 30 * 24  # hourly for 2-90 days, ending "now"

    frozen_sim.set_clock(FROZEN_AT + timedelta(minutes=30))
    assert dg.materialize(history, resources=resources).success
    after = counts(database_url, ("market_chart", "ohlc"))
    # 5-minutely points after the last cursor only: 30 minutes = 6 new points per coin.
    assert after["market_chart"] == backfill["market_chart"] + 3 * 6
    assert dg.materialize(history, resources=resources).success
    assert counts(database_url, ("market_chart", "ohlc")) == after
    [(dupes,)] = query(
        database_url,
        "select count(*) - count(distinct (coin_id, ts)) from raw.market_chart",
    )
    assert dupes == 0


def test_rate_limited_requests_are_waited_out(database_url, frozen_sim):
    frozen_sim.set_faults(rate_429=0.5, retry_after_s=1)
    started = time.monotonic()
    result = load_snapshot(database_url, frozen_sim)
    elapsed = time.monotonic() - started
    assert result.success
    injected = frozen_sim.stats()["injected"]["rate_limit"]
    assert injected >= 1
    assert elapsed >= injected * 1.0  # each 429 was waited out for its Retry-After
    assert counts(database_url, ("markets", "global_market")) == {"markets": 5, "global_market": 1}


def test_persistent_5xx_fails_the_run_records_the_error_and_loads_nothing(database_url, frozen_sim):
    instance = dg.DagsterInstance.ephemeral()
    assert load_snapshot(database_url, frozen_sim, instance=instance).success
    before = counts(database_url, ("markets", "global_market"))

    frozen_sim.set_clock(FROZEN_AT + timedelta(minutes=10))
    frozen_sim.set_faults(rate_5xx=1.0)
    failed = load_snapshot(database_url, frozen_sim, instance=instance)
    assert not failed.success
    assert counts(database_url, ("markets", "global_market")) == before  # nothing partial

    run_failure_sensor(
        sensor_context(instance, failed, "run_failure_sensor", database_url).for_run_failure()
    )
    row = pipeline_run(database_url, failed.run_id)
    print("\nrecorded error:", row["error_message"])
    assert row["status"] == "FAILURE"
    assert row["records_processed"] == 0
    assert "failed after 4 attempts" in row["error_message"]
    assert f"{frozen_sim.base_url}/" in row["error_message"]
    assert "HTTP 5" in row["error_message"]
    assert row["started_at"] <= row["ended_at"] and row["duration_s"] >= 0

    frozen_sim.clear_faults()
    recovered = load_snapshot(database_url, frozen_sim, instance=instance)
    assert recovered.success
    assert counts(database_url, ("markets", "global_market")) == {
        "markets": before["markets"] + 5,
        "global_market": before["global_market"] + 1,
    }
    run_success_sensor(sensor_context(instance, recovered, "run_success_sensor", database_url))
    ok = pipeline_run(database_url, recovered.run_id)
    assert ok["status"] == "SUCCESS" and ok["error_message"] is None
    assert ok["records_processed"] == 5 + 1
    assert ok["job_name"] == "__ephemeral_asset_job__"


def test_malformed_rows_are_rejected_logged_and_reported(database_url, frozen_sim, caplog):
    frozen_sim.set_faults(malformed_rate=0.25)
    with caplog.at_level(logging.WARNING, logger="orchestration.ingest.validation"):
        result = load_snapshot(database_url, frozen_sim, top_n=20)
    assert result.success
    assert frozen_sim.stats()["injected"]["malformed_row"] == 5
    metadata = materialization_metadata(result)["markets"]
    assert metadata["rejected_rows"] == 5
    assert metadata["rows_loaded"] == 15
    assert len(metadata["rejected_samples"]) == 5
    rejections = [r.getMessage() for r in caplog.records if "rejected malformed row" in r.message]
    assert len(rejections) == 5
    assert any("current_price" in line and "'abc'" in line for line in rejections)
    assert any("id: " in line and "None" in line for line in rejections)
    [(loaded, bad)] = query(
        database_url,
        "select count(*), count(*) filter (where id is null or current_price is null"
        " or market_cap < 0) from raw.markets",
    )
    assert (loaded, bad) == (15, 0)


def test_truncated_bodies_are_retried(database_url, frozen_sim):
    frozen_sim.set_faults(truncated_rate=0.5)
    assert load_snapshot(database_url, frozen_sim).success
    assert frozen_sim.stats()["injected"]["truncated"] >= 1
    assert counts(database_url, ("markets", "global_market")) == {"markets": 5, "global_market": 1}


def test_slow_answers_within_the_timeout_are_accepted(database_url, frozen_sim):
    frozen_sim.set_faults(latency_ms=300)
    started = time.monotonic()
    assert load_snapshot(database_url, frozen_sim, timeout_s=5.0).success
    assert time.monotonic() - started >= 0.6  # both calls were really slowed down
    assert counts(database_url, ("markets", "global_market")) == {"markets": 5, "global_market": 1}
