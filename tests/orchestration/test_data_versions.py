"""Runs record a version of each dataset they rewrite, and announce it (and failures) on Redis."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import dagster as dg
import orjson
import pytest
import redis

from cryptoflow.platform_events import events_channel
from cryptoflow.simulator.server import RunningSimulator
from orchestration.jobs import analytics_job, ingest_job
from orchestration.resources import WarehouseResource
from orchestration.sensors import run_failure_sensor
from tests.orchestration.test_ingest import load_snapshot
from tests.reliability.pipeline_support import query
from tests.warehouse.warehouse_support import ALL_ASSETS, pipeline_resources


class Events:
    """Every platform event published on a namespace while the test runs."""

    def __init__(self, redis_url: str, namespace: str) -> None:
        self._client = redis.Redis.from_url(redis_url)
        self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(events_channel(namespace))
        self.received: list[dict[str, Any]] = []

    def wait_for(self, count: int, timeout_s: float = 10) -> list[dict[str, Any]]:
        return self.wait_until(lambda received: len(received) >= count, timeout_s)

    def wait_until(
        self, done: Callable[[list[dict[str, Any]]], bool], timeout_s: float = 10
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while not done(self.received):
            assert time.monotonic() < deadline, f"events so far: {self.received}"
            message = self._pubsub.get_message(timeout=0.2)
            if message is not None:
                self.received.append(orjson.loads(message["data"]))
        return self.received

    def close(self) -> None:
        self._pubsub.close()
        self._client.close()


@pytest.fixture
def events(redis_url: str, redis_namespace: str) -> Iterator[Events]:
    listening = Events(redis_url, redis_namespace)
    try:
        yield listening
    finally:
        listening.close()


def _versions(database_url: str) -> list[tuple[Any, ...]]:
    return query(
        database_url, "select dataset, run_id, job_name, as_of from app.data_versions order by id"
    )


def test_the_failure_sensor_records_a_pipeline_version_and_announces_the_failure(
    database_url: str,
    frozen_sim: RunningSimulator,
    redis_url: str,
    redis_namespace: str,
    events: Events,
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    frozen_sim.set_faults(rate_5xx=1.0)
    failed = load_snapshot(database_url, frozen_sim, instance=instance)
    assert not failed.success
    run = instance.get_run_by_id(failed.run_id)
    assert run is not None
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_sensor",
        dagster_event=next(e for e in failed.all_events if e.is_run_failure),
        dagster_instance=instance,
        dagster_run=run,
        resources={
            "warehouse": WarehouseResource(
                database_url=database_url, redis_url=redis_url, redis_namespace=redis_namespace
            )
        },
    )

    run_failure_sensor(context.for_run_failure())

    [(dataset, run_id, job_name, as_of)] = _versions(database_url)
    [(ended_at,)] = query(
        database_url, "select ended_at from app.pipeline_runs where run_id = :r", r=failed.run_id
    )
    assert (dataset, run_id, job_name, as_of) == ("pipeline", failed.run_id, run.job_name, ended_at)
    version, failure = events.wait_for(2)
    assert version["kind"] == "data_version" and version["dataset"] == "pipeline"
    assert version["version"]["run_id"] == failed.run_id
    assert failure["kind"] == "run_failed" and failure["run_id"] == failed.run_id
    assert "HTTP 5" in failure["message"]


def test_a_run_versions_exactly_the_datasets_it_rebuilt(
    warehouse_db: str,
    redis_url: str,
    redis_namespace: str,
    sim_server: RunningSimulator,
    events: Events,
) -> None:
    before = _versions(warehouse_db)
    assert {dataset for dataset, *_ in before} == {"market", "ohlcv", "analytics", "quality"}

    result = dg.materialize(
        ALL_ASSETS,
        selection=analytics_job.selection,
        resources=pipeline_resources(
            warehouse_db, sim_server.base_url, redis_url=redis_url, redis_namespace=redis_namespace
        ),
    )

    assert result.success
    new = _versions(warehouse_db)[len(before) :]
    assert [(dataset, run_id) for dataset, run_id, *_ in new] == [
        ("analytics", result.run_id),
        ("quality", result.run_id),
    ]
    [(newest_day,)] = query(
        warehouse_db, "select max(date_day) from analytics.analytics_daily_returns"
    )
    assert new[0][3].date() == newest_day  # as_of: the analytics' own newest day
    announced = events.wait_for(2)
    assert [(e["kind"], e["dataset"]) for e in announced] == [
        ("data_version", "analytics"),
        ("data_version", "quality"),
    ]
    assert announced[0]["version"]["run_id"] == result.run_id


def test_a_failing_check_is_announced(
    warehouse_db: str,
    warehouse_template: Any,
    redis_url: str,
    redis_namespace: str,
    sim_server: RunningSimulator,
    events: Events,
) -> None:
    # the ingest fetches one coin fewer than configured: completeness fails (without blocking)
    sim_server.set_clock(warehouse_template.sim_now + timedelta(minutes=10))
    sim_server.set_faults(missing_coin_rate=1.0)
    result = dg.materialize(
        ALL_ASSETS,
        selection=ingest_job.selection,
        resources=pipeline_resources(
            warehouse_db, sim_server.base_url, redis_url=redis_url, redis_namespace=redis_namespace
        ),
    )

    assert result.success

    def is_completeness(event: dict[str, Any]) -> bool:
        return event["kind"] == "check" and event["check_name"] == "completeness_check"

    received = events.wait_until(lambda received: any(map(is_completeness, received)))
    [completeness] = [event for event in received if is_completeness(event)]
    assert (completeness["status"], completeness["run_id"]) == ("fail", result.run_id)
    assert completeness["table_name"] == "marts.fact_market_data"
    assert completeness["description"] == "49 of 50 coins in the newest snapshot"
