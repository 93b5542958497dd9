"""Public warehouse answers: labelled with the run that made their data, kept per data version,
revalidated with ETag / Last-Modified, and told of new versions by the run's event."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import dagster as dg
from fastapi.testclient import TestClient

from api.core.cache import AnswerCache, keep
from api.main import create_app
from cryptoflow.simulator.server import RunningSimulator
from orchestration.data_versions import version_event
from orchestration.jobs import ingest_job
from orchestration.resources import WarehouseResource
from support.warehouse import BuiltWarehouse
from tests.api.conftest import Headers, make_settings, record_version, register, sql_runner
from tests.api.test_market import serve
from tests.warehouse.warehouse_support import ALL_ASSETS, pipeline_resources

API = "/api/v1"
# One public GET per dataset-reading route: (path, query, dataset).
PUBLIC_GETS = [
    (f"{API}/coins", {"per_page": 5}, "market"),
    (f"{API}/coins/sparklines", {"ids": "bitcoin,ethereum"}, "market"),
    (f"{API}/coins/bitcoin", {}, "market"),
    (f"{API}/coins/bitcoin/history", {"days": 365}, "market"),
    (f"{API}/market/overview", {}, "market"),
    (f"{API}/coins/bitcoin/ohlcv", {"days": 365}, "ohlcv"),
    (f"{API}/coins/bitcoin/analytics", {}, "analytics"),
    (f"{API}/analytics/correlation", {}, "analytics"),
    (f"{API}/analytics/volatility", {}, "analytics"),
    (f"{API}/quality/checks", {}, "quality"),
    (f"{API}/quality/summary", {}, "quality"),
]


def _current_versions(database_url: str) -> dict[str, dict[str, Any]]:
    rows = sql_runner(database_url)(
        "select distinct on (dataset) * from app.data_versions order by dataset, id desc"
    )
    return {row["dataset"]: row for row in rows}


def test_every_public_get_names_its_run_and_can_be_revalidated(
    warehouse_db: str, redis_url: str, redis_namespace: str
) -> None:
    versions = _current_versions(warehouse_db)
    assert set(versions) == {"market", "ohlcv", "analytics", "quality"}  # the template's build
    with serve(warehouse_db, redis_url, redis_namespace, poll_s=0) as client:
        for path, params, dataset in PUBLIC_GETS:
            first = client.get(path, params=params)
            assert first.status_code == 200, (path, first.text)
            body = first.json()
            version = versions[dataset]
            assert body["run_id"] == version["run_id"], path
            assert body["as_of"] is not None
            assert first.headers["cache-control"] == "public, no-cache"
            assert first.headers["last-modified"] == format_datetime(
                version["finished_at"].astimezone(UTC), usegmt=True
            )
            etag = first.headers["etag"]
            again = client.get(path, params=params)
            assert again.content == first.content and again.headers["etag"] == etag
            not_modified = client.get(path, params=params, headers={"If-None-Match": etag})
            assert not_modified.status_code == 304 and not_modified.content == b"", path
            assert not_modified.headers["etag"] == etag
            since = client.get(
                path, params=params, headers={"If-Modified-Since": first.headers["last-modified"]}
            )
            assert since.status_code == 304, path
            stale = client.get(path, params=params, headers={"If-None-Match": '"other"'})
            assert stale.status_code == 200 and stale.content == first.content


def test_a_run_changes_exactly_the_etags_of_the_data_it_rewrote(
    warehouse_db: str,
    warehouse_template: BuiltWarehouse,
    sim_server: RunningSimulator,
    redis_url: str,
    redis_namespace: str,
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    with serve(warehouse_db, redis_url, redis_namespace, poll_s=0) as client:
        before = {path: client.get(path, params=params) for path, params, _ in PUBLIC_GETS}
        sim_server.set_clock(warehouse_template.sim_now + timedelta(minutes=10))
        result = dg.materialize(
            ALL_ASSETS,
            selection=ingest_job.selection,
            resources=pipeline_resources(warehouse_db, sim_server.base_url),
            instance=instance,
        )
        assert result.success
        after = {path: client.get(path, params=params) for path, params, _ in PUBLIC_GETS}
    [run] = instance.get_runs()  # Dagster's own record of the run
    changed = {
        path for path in before if before[path].headers["etag"] != after[path].headers["etag"]
    }
    rewritten = {path for path, _, dataset in PUBLIC_GETS if dataset in {"market", "quality"}}
    assert changed == rewritten  # the ingest rebuilds market data and runs its checks
    for path in rewritten:
        assert after[path].json()["run_id"] == run.run_id
    tick_at = warehouse_template.sim_now + timedelta(minutes=10)
    assert datetime.fromisoformat(after[f"{API}/coins"].json()["as_of"]) == tick_at


def test_an_event_tells_the_api_of_a_new_version_at_once(
    warehouse_db: str, redis_url: str, redis_namespace: str
) -> None:
    path = f"{API}/coins/bitcoin/ohlcv"
    with serve(warehouse_db, redis_url, redis_namespace, poll_s=3600) as client:
        first = client.get(path)
        _wait_for(lambda: client.get(f"{API}/ws/status").json()["redis_connected"])
        version = record_version(warehouse_db, "ohlcv")  # what a run writes, then announces
        warehouse = WarehouseResource(
            database_url=warehouse_db, redis_url=redis_url, redis_namespace=redis_namespace
        )
        warehouse.publish_events([version_event(version)])
        _wait_for(lambda: client.get(f"{API}/ws/status").json()["events_received"] == 1)
        second = client.get(path)  # no poll for an hour: the event alone moved the version
        status = client.get(f"{API}/ws/status").json()
    assert second.json()["run_id"] == version["run_id"] != first.json()["run_id"]
    assert second.headers["etag"] != first.headers["etag"]
    assert status["last_event_at"] is not None


def _wait_for(condition: Callable[[], bool], timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_status_lists_versions_and_failing_blocking_checks(
    warehouse_db: str, redis_url: str, redis_namespace: str
) -> None:
    sql = sql_runner(warehouse_db)
    with serve(warehouse_db, redis_url, redis_namespace, poll_s=0) as client:
        healthy = client.get(f"{API}/status").json()
        sql(
            "insert into app.data_quality_checks (run_id, check_name, table_name, status, "
            "severity, description) values ('r1', 'completeness_check', "
            "'marts.fact_market_data', 'fail', 'ERROR', '49 of 50 coins in the newest snapshot')"
        )
        failing = client.get(f"{API}/status").json()
    assert healthy["failing_checks"] == []
    assert set(healthy["versions"]) == {"market", "ohlcv", "analytics", "quality", "pipeline"}
    assert healthy["versions"]["market"]["stale_after_s"] == 1200
    assert healthy["versions"]["pipeline"] is None
    assert failing["failing_checks"] == [
        {
            "check_name": "completeness_check",
            "table_name": "marts.fact_market_data",
            "status": "fail",
            "description": "49 of 50 coins in the newest snapshot",
            "run_id": "r1",
        }
    ]


def test_signed_in_answers_are_private(client: TestClient) -> None:
    headers: Headers = register(client, "private@example.com")
    response = client.get(f"{API}/auth/me", headers=headers)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-cache"


def test_bad_queries_are_validated_every_time(
    warehouse_db: str, redis_url: str, redis_namespace: str
) -> None:
    with serve(warehouse_db, redis_url, redis_namespace, poll_s=3600) as client:
        for _ in range(2):
            response = client.get(f"{API}/coins", params={"sort": "no_such_column"})
            assert response.status_code == 422


def test_cross_origin_requests_get_cors_headers_from_kept_answers(
    warehouse_db: str, redis_url: str, redis_namespace: str
) -> None:
    origin = {"Origin": "http://localhost:8000"}
    settings = make_settings(warehouse_db, redis_url, redis_namespace)
    with TestClient(create_app(settings)) as client:
        first = client.get(f"{API}/coins")  # kept
        cross = client.get(f"{API}/coins", headers=origin)
        again = client.get(f"{API}/coins")
    assert cross.status_code == 200 and cross.content == first.content
    assert cross.headers["access-control-allow-origin"] == "http://localhost:8000"
    assert "access-control-allow-origin" not in again.headers  # nothing leaked into the kept one
    assert again.headers == first.headers


def test_kept_answers_are_bounded_by_their_bytes() -> None:
    cache = AnswerCache(max_bytes=250)
    for index in range(5):
        cache.put((f"/coins/{index}", b""), keep("market", None, b"x" * 100, "application/json"))
        cache.get(("/coins/0", b""))  # kept in use: never the one to go
    assert len(cache) == 2
    assert cache.get(("/coins/0", b"")) is not None
    assert cache.get(("/coins/4", b"")) is not None
