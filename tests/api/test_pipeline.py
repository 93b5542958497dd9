"""Pipeline runs (paginated, filtered) and job health, read from `app.pipeline_runs`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cryptoflow.db import make_engine

NOW = datetime.now(UTC).replace(microsecond=0)


def _run(run_id: str, job: str, status: str, hours_ago: float, **extra) -> dict:
    started = NOW - timedelta(hours=hours_ago)
    return {
        "run_id": run_id,
        "job_name": job,
        "status": status,
        "started_at": started,
        "ended_at": started + timedelta(seconds=4),
        "duration_s": 4.0,
        "records_processed": 50,
        "error_message": None,
        **extra,
    }


RUNS = [
    _run("r1", "ingest_job", "SUCCESS", 3),
    _run("r2", "ingest_job", "FAILURE", 2, error_message="HTTP 429", records_processed=None),
    _run("r3", "ingest_job", "SUCCESS", 1),
    _run("r4", "analytics_job", "SUCCESS", 30),
    _run("r5", "analytics_job", "FAILURE", 0.5, error_message="boom"),
    _run("r6", "quality_job", "FAILURE", 48, error_message="old"),
]


@pytest.fixture
def runs(database_url: str) -> list[dict]:
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("""
                insert into app.pipeline_runs (run_id, job_name, status, started_at, ended_at,
                    duration_s, records_processed, error_message)
                values (:run_id, :job_name, :status, :started_at, :ended_at, :duration_s,
                    :records_processed, :error_message)
            """),
            RUNS,
        )
    engine.dispose()
    return RUNS


def test_runs_newest_first_with_pages(client: TestClient, runs: list[dict]) -> None:
    newest_first = sorted(runs, key=lambda run: run["started_at"], reverse=True)
    first = client.get("/api/v1/pipeline/runs", params={"per_page": 4})
    assert first.status_code == 200
    body = first.json()
    assert body["count"] == len(runs)
    assert [run["run_id"] for run in body["data"]] == [r["run_id"] for r in newest_first[:4]]
    second = client.get("/api/v1/pipeline/runs", params={"per_page": 4, "page": 2}).json()
    assert [run["run_id"] for run in second["data"]] == [r["run_id"] for r in newest_first[4:]]
    r2 = next(run for run in body["data"] if run["run_id"] == "r2")
    assert r2["status"] == "FAILURE" and r2["error_message"] == "HTTP 429"
    assert r2["duration_s"] == 4.0 and r2["records_processed"] is None
    beyond = client.get("/api/v1/pipeline/runs", params={"page": 99}).json()
    assert beyond == {"data": [], "count": len(runs)}


def test_runs_filtered_by_job_and_status(client: TestClient, runs: list[dict]) -> None:
    response = client.get(
        "/api/v1/pipeline/runs", params={"job_name": "ingest_job", "status": "failure"}
    )
    assert response.status_code == 200
    assert [run["run_id"] for run in response.json()["data"]] == ["r2"]


def test_health_per_job(client: TestClient, runs: list[dict]) -> None:
    response = client.get("/api/v1/pipeline/health")
    assert response.status_code == 200
    jobs = {job["job_name"]: job for job in response.json()["data"]}
    assert response.json()["count"] == 3
    ingest, analytics, quality = jobs["ingest_job"], jobs["analytics_job"], jobs["quality_job"]
    assert ingest["status"] == "healthy" and ingest["last_status"] == "SUCCESS"
    assert ingest["failure_count"] == 1 and ingest["run_count"] == 3
    last_success = datetime.fromisoformat(ingest["last_success_at"])
    assert last_success == NOW - timedelta(hours=1) + timedelta(seconds=4)
    since = (datetime.now(UTC) - last_success).total_seconds()
    assert ingest["seconds_since_success"] == pytest.approx(since, abs=5)
    assert analytics["status"] == "failing" and analytics["failure_count"] == 1
    assert analytics["run_count"] == 1  # the success is older than 24 h
    assert quality["last_success_at"] is None and quality["seconds_since_success"] is None
    assert quality["failure_count"] == 0


def test_empty_history(client: TestClient) -> None:
    assert client.get("/api/v1/pipeline/runs").json() == {"data": [], "count": 0}
    assert client.get("/api/v1/pipeline/health").json() == {"data": [], "count": 0}


@pytest.mark.parametrize(
    "params", [{"page": 0}, {"per_page": 251}, {"per_page": "x"}, {"job_name": "j" * 256}]
)
def test_bad_pagination_is_422(client: TestClient, params: dict) -> None:
    response = client.get("/api/v1/pipeline/runs", params=params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"
