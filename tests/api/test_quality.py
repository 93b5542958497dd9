"""Quality checks (latest per check or full history, filterable) and scores per table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cryptoflow.db import make_engine

NOW = datetime.now(UTC).replace(microsecond=0)
FACTS = "marts.fact_market_data"
DIM = "marts.dim_coin"


def _check(name: str, table: str, status: str, minutes_ago: int) -> dict:
    return {
        "run_id": f"run-{minutes_ago}",
        "check_name": name,
        "table_name": table,
        "status": status,
        "severity": "ERROR",
        "description": f"{name} on {table}",
        "details": '{"observed": 1}',
        "checked_at": NOW - timedelta(minutes=minutes_ago),
    }


CHECKS = [
    _check("freshness", FACTS, "fail", 120),  # superseded by the newer pass below
    _check("freshness", FACTS, "pass", 60),
    _check("anomaly", FACTS, "warn", 60),
    _check("not_null_price", FACTS, "fail", 60),
    _check("unique_coin_id", DIM, "pass", 60),
    _check("completeness", DIM, "pass", 60),
]


@pytest.fixture
def checks(database_url: str) -> list[dict]:
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("""
                insert into app.data_quality_checks (run_id, check_name, table_name, status,
                    severity, description, details, checked_at)
                values (:run_id, :check_name, :table_name, :status, :severity, :description,
                    cast(:details as jsonb), :checked_at)
            """),
            CHECKS,
        )
    engine.dispose()
    return CHECKS


def test_latest_checks_by_default(client: TestClient, checks: list[dict]) -> None:
    response = client.get("/api/v1/quality/checks")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    freshness = [c for c in body["data"] if c["check_name"] == "freshness"]
    assert [c["status"] for c in freshness] == ["pass"]
    assert freshness[0]["details"] == {"observed": 1}
    assert freshness[0]["table_name"] == FACTS


def test_history_and_filters(client: TestClient, checks: list[dict]) -> None:
    history = client.get("/api/v1/quality/checks", params={"latest": False}).json()
    assert history["count"] == 6
    assert history["data"][-1]["status"] == "fail"  # the oldest, last
    failed = client.get("/api/v1/quality/checks", params={"status": "fail"}).json()
    assert [c["check_name"] for c in failed["data"]] == ["not_null_price"]
    dim = client.get("/api/v1/quality/checks", params={"table_name": DIM, "per_page": 1}).json()
    assert dim["count"] == 2 and len(dim["data"]) == 1
    one = client.get("/api/v1/quality/checks", params={"check_name": "anomaly"}).json()
    assert [c["status"] for c in one["data"]] == ["warn"]


def test_summary_scores(client: TestClient, checks: list[dict]) -> None:
    response = client.get("/api/v1/quality/summary")
    assert response.status_code == 200
    body = response.json()
    tables = {table["table_name"]: table for table in body["tables"]}
    facts = tables[FACTS]
    assert (facts["passed"], facts["warned"], facts["failed"], facts["total"]) == (1, 1, 1, 3)
    assert facts["score"] == 50.0  # (1 + 1/2) / 3
    assert tables[DIM]["score"] == 100.0
    assert (body["passed"], body["warned"], body["failed"], body["total"]) == (3, 1, 1, 5)
    assert body["score"] == 70.0  # (3 + 1/2) / 5
    assert datetime.fromisoformat(body["last_checked_at"]) == NOW - timedelta(minutes=60)


def test_summary_before_any_check(client: TestClient) -> None:
    body = client.get("/api/v1/quality/summary").json()
    assert body["score"] is None and body["total"] == 0 and body["tables"] == []


@pytest.mark.parametrize("params", [{"status": "broken"}, {"latest": "maybe"}, {"page": -1}])
def test_bad_filters_are_422(client: TestClient, params: dict) -> None:
    assert client.get("/api/v1/quality/checks", params=params).status_code == 422


def test_latest_reads_only_the_day_before_the_newest_result(
    client: TestClient, checks: list[dict], database_url: str
) -> None:
    """A check not evaluated for over a day (hourly quality_job runs them all) is history only."""
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("""
                insert into app.data_quality_checks (check_name, table_name, status, severity,
                    checked_at)
                values ('retired_check', :table, 'fail', 'ERROR', :at)
            """),
            {"table": DIM, "at": NOW - timedelta(hours=30)},
        )
    engine.dispose()
    latest = client.get("/api/v1/quality/checks").json()
    assert "retired_check" not in {c["check_name"] for c in latest["data"]}
    history = client.get("/api/v1/quality/checks", params={"latest": False}).json()
    assert "retired_check" in {c["check_name"] for c in history["data"]}
