"""Upstream faults (simulator fault injection) during the history load, through Dagster.

The orchestration suite covers a 429 waited out, persistent 5xx on the snapshot load, malformed
rows and a half-truncated feed. Here every other fault kind exhausts the client's retries and
must end as a FAILURE row with its reason in `app.pipeline_runs`, with nothing half-loaded; after
a failed or incomplete run the next run must catch up: no gap, no duplicate; and a coin missing
from a snapshot is recorded as a failed completeness check.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import dagster as dg
import pytest

from cryptoflow.simulator.server import RunningSimulator
from orchestration.ingest.assets import coingecko_history_assets
from orchestration.jobs import ingest_job
from support.warehouse import BuiltWarehouse
from tests.orchestration.ingest_support import FROZEN_AT, ingest_resources
from tests.reliability.pipeline_support import query, record_run, scalar
from tests.warehouse.warehouse_support import ALL_ASSETS, pipeline_resources, run_quality_checks

TOP_N = 4
MAX_RETRIES = 2
FIVE_MINUTES = timedelta(minutes=5)


@pytest.fixture
def sim(sim_server: RunningSimulator) -> Iterator[RunningSimulator]:
    sim_server.set_clock(FROZEN_AT)
    yield sim_server


def load_history(
    database_url: str, sim: RunningSimulator, instance: dg.DagsterInstance, **client: object
) -> dg.ExecuteInProcessResult:
    options = {"max_retries": MAX_RETRIES, "timeout_s": 5.0, **client}
    return dg.materialize(
        [coingecko_history_assets],
        resources=ingest_resources(
            database_url, sim.base_url, top_n=TOP_N, history_days=2, **options
        ),
        instance=instance,
        raise_on_error=False,
    )


def chart_points(database_url: str) -> dict[str, int]:
    return dict(query(database_url, "select coin_id, count(*) from raw.market_chart group by 1"))


def assert_caught_up(database_url: str, *, until: object) -> None:
    """Every coin has every 5-minute point from the backfill's end to `until`, each once."""
    rows = query(
        database_url,
        """
        select coin_id, count(*), count(distinct ts), max(ts)
        from raw.market_chart where ts > :since group by 1
        """,
        since=FROZEN_AT,
    )
    expected = int((until - FROZEN_AT) / FIVE_MINUTES)  # type: ignore[operator]
    assert len(rows) == TOP_N
    for coin_id, count, distinct, newest in rows:
        assert (count, distinct, newest) == (expected, expected, until), coin_id
    dupes = scalar(database_url, "select count(*) - count(distinct (coin_id, ts)) from raw.ohlc")
    assert dupes == 0


PERSISTENT_FAULTS = {
    "429 without end": ({"rate_429": 1.0, "retry_after_s": 0}, {}, "HTTP 429 rate limited"),
    "timeouts": ({"latency_ms": 1500}, {"timeout_s": 0.3}, "ReadTimeout"),
    "truncated JSON": ({"truncated_rate": 1.0}, {}, "invalid JSON"),
}


@pytest.mark.parametrize("fault", PERSISTENT_FAULTS.values(), ids=PERSISTENT_FAULTS.keys())
def test_a_fault_that_outlasts_the_retries_fails_the_run_with_its_reason_then_the_next_catches_up(
    database_url: str, sim: RunningSimulator, fault: tuple[dict, dict, str]
) -> None:
    faults, client, reason = fault
    instance = dg.DagsterInstance.ephemeral()
    assert load_history(database_url, sim, instance).success
    backfill = chart_points(database_url)

    sim.set_clock(FROZEN_AT + timedelta(minutes=30))
    sim.set_faults(**faults)
    failed = load_history(database_url, sim, instance, **client)
    assert not failed.success
    assert sim.stats()["requests"] == MAX_RETRIES + 1  # the first call, retried, then given up
    assert chart_points(database_url) == backfill  # nothing half-loaded
    row = record_run(instance, failed, database_url)
    print(f"\n{reason}: recorded {row['error_message']!r}")
    assert row["status"] == "FAILURE"
    assert f"failed after {MAX_RETRIES + 1} attempts" in row["error_message"]
    assert reason in row["error_message"]
    assert f"{sim.base_url}/coins/markets" in row["error_message"]

    sim.clear_faults()
    until = FROZEN_AT + timedelta(hours=1)
    sim.set_clock(until)
    recovered = load_history(database_url, sim, instance)
    assert recovered.success
    assert record_run(instance, recovered, database_url)["status"] == "SUCCESS"
    assert_caught_up(database_url, until=until)


def test_a_5xx_burst_is_retried_and_the_load_is_complete(
    database_url: str, sim: RunningSimulator
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    assert load_history(database_url, sim, instance).success
    until = FROZEN_AT + timedelta(minutes=30)
    sim.set_clock(until)
    sim.set_faults(rate_5xx=0.5)  # every other answer: HTML 503/502/504 pages and JSON 500s
    result = load_history(database_url, sim, instance, backoff_s=0.01)
    assert result.success
    stats = sim.stats()
    print(f"\n5xx burst: {stats['injected']['server_error']} of {stats['requests']} answers failed")
    assert stats["injected"]["server_error"] >= 1 + TOP_N  # markets + one per coin at least
    assert_caught_up(database_url, until=until)


def test_a_coin_missing_from_the_page_is_caught_up_by_the_next_run(
    database_url: str, sim: RunningSimulator
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    assert load_history(database_url, sim, instance).success
    sim.set_clock(FROZEN_AT + timedelta(minutes=30))
    sim.set_faults(missing_coin_rate=1.0)
    assert load_history(database_url, sim, instance).success
    behind = {
        coin_id
        for coin_id, newest in query(
            database_url, "select coin_id, max(ts) from raw.market_chart group by 1"
        )
        if newest == FROZEN_AT
    }
    assert len(behind) == 1  # the coin the page lacked was not loaded, the others were

    sim.clear_faults()
    until = FROZEN_AT + timedelta(hours=1)
    sim.set_clock(until)
    assert load_history(database_url, sim, instance).success
    assert_caught_up(database_url, until=until)


def test_a_coin_missing_from_the_snapshot_page_is_recorded_by_the_completeness_check(
    warehouse_db: str, warehouse_template: BuiltWarehouse, sim_server: RunningSimulator
) -> None:
    tick = warehouse_template.sim_now + timedelta(minutes=10)
    sim_server.set_clock(tick)
    sim_server.set_faults(missing_coin_rate=1.0)
    resources = pipeline_resources(warehouse_db, sim_server.base_url)
    assert dg.materialize(ALL_ASSETS, selection=ingest_job.selection, resources=resources).success
    [missing] = query(
        warehouse_db,
        "select coin_id from marts.dim_coin except "
        "select id from raw.markets where last_updated = :tick",
        tick=tick,
    )[0]

    evaluation = run_quality_checks(warehouse_db)[("marts.fact_market_data", "completeness_check")]
    assert not evaluation.passed
    [(status, details)] = query(
        warehouse_db,
        "select status, details from app.data_quality_checks "
        "where check_name = 'completeness_check' order by id desc limit 1",
    )
    print(f"\nmissing coin: {status}, {evaluation.description}, lacks {missing}")
    assert status == "fail"
    assert details["found_coins"] == 49 and missing in details["known_coins_not_in_newest_load"]
