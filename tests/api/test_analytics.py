"""Correlation matrix (top N or chosen coins, per period) and volatility ranking."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.main import app
from api.schemas.common import DEFAULT_ANALYTICS_PERIOD, AnalyticsPeriod
from cryptoflow.dbt_project import ANALYTICS_PERIODS, CORRELATION_TOP_N
from tests.api.conftest import SqlRunner


def _correlations(sql: SqlRunner, period: int) -> dict[tuple[str, str], float]:
    rows = sql(
        "select coin_a_id, coin_b_id, correlation from analytics.analytics_correlation"
        " where period_days = :period",
        period=period,
    )
    return {(row["coin_a_id"], row["coin_b_id"]): row["correlation"] for row in rows}


def test_correlation_matrix_of_the_top_coins(warehouse_client: TestClient, sql: SqlRunner) -> None:
    response = warehouse_client.get(
        "/api/v1/analytics/correlation", params={"period": 90, "top": 6}
    )
    assert response.status_code == 200
    body = response.json()
    correlations = _correlations(sql, 90)
    correlated = {a for a, _ in correlations}
    ranked = [
        row["coin_id"]
        for row in sql("select coin_id from marts.dim_coin order by market_cap_rank, coin_id")
        if row["coin_id"] in correlated
    ]
    ids = [coin["coin_id"] for coin in body["coins"]]
    assert body["period_days"] == 90
    assert ids == ranked[:6]
    matrix = body["matrix"]
    assert len(matrix) == 6 and all(len(row) == 6 for row in matrix)
    for i, a in enumerate(ids):
        assert matrix[i][i] == 1.0
        for j, b in enumerate(ids):
            assert matrix[i][j] == matrix[j][i]
            if a != b:
                assert matrix[i][j] == correlations[(a, b)]
    assert body["computed_at"] is not None


def test_correlation_of_chosen_coins(warehouse_client: TestClient, sql: SqlRunner) -> None:
    correlations = _correlations(sql, 30)
    outside = next(
        row["coin_id"]
        for row in sql("select coin_id from marts.dim_coin order by market_cap_rank desc")
        if (row["coin_id"], "bitcoin") not in correlations
    )
    response = warehouse_client.get(
        "/api/v1/analytics/correlation", params={"ids": f"ethereum,bitcoin,{outside},nope"}
    )
    assert response.status_code == 200
    body = response.json()
    assert [coin["coin_id"] for coin in body["coins"]] == ["bitcoin", "ethereum", outside]
    assert body["matrix"][0][1] == correlations[("bitcoin", "ethereum")]
    assert body["matrix"][0][2] is None  # not among the coins the model correlates
    assert body["matrix"][2][2] == 1.0


@pytest.mark.parametrize(
    "params",
    [{"period": 14}, {"top": 1}, {"top": 51}, {"ids": ",".join(f"coin-{n}" for n in range(101))}],
)
def test_correlation_bad_parameters(warehouse_client: TestClient, params: dict) -> None:
    response = warehouse_client.get("/api/v1/analytics/correlation", params=params)
    assert response.status_code == 422


def test_volatility_ranking(warehouse_client: TestClient, sql: SqlRunner) -> None:
    response = warehouse_client.get("/api/v1/analytics/volatility", params={"period": 365})
    assert response.status_code == 200
    body = response.json()
    rows = sql("""
        select coin_id, volatility, max_drawdown, sharpe_ratio, annualized_return
        from analytics.analytics_volatility where period_days = 365
        order by volatility desc, coin_id
    """)
    assert body["count"] == len(rows) == 50
    assert [entry["coin_id"] for entry in body["data"]] == [row["coin_id"] for row in rows]
    for entry, row in zip(body["data"], rows, strict=True):
        assert entry["period_days"] == 365
        for key in ("volatility", "max_drawdown", "sharpe_ratio", "annualized_return"):
            assert entry[key] == row[key]
        assert entry["market_cap_usd"] > 0 and entry["symbol"]


def test_volatility_sorted_by_sharpe_ascending(warehouse_client: TestClient) -> None:
    response = warehouse_client.get(
        "/api/v1/analytics/volatility", params={"sort": "sharpe_ratio", "order": "asc", "limit": 10}
    )
    assert response.status_code == 200
    sharpes = [entry["sharpe_ratio"] for entry in response.json()["data"]]
    assert len(sharpes) == 10 and sharpes == sorted(sharpes)


@pytest.mark.parametrize(
    "params", [{"sort": "coin_id; drop table x"}, {"period": 1}, {"limit": 0}, {"order": "up"}]
)
def test_volatility_bad_parameters(warehouse_client: TestClient, params: dict) -> None:
    response = warehouse_client.get("/api/v1/analytics/volatility", params=params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_periods_and_correlation_size_are_the_dbt_vars(
    warehouse_client: TestClient, sql: SqlRunner
) -> None:
    """dbt_project.yml's vars own them (cryptoflow.dbt_project): what dbt built is what the API
    accepts and answers by default."""
    assert [period.value for period in AnalyticsPeriod] == list(ANALYTICS_PERIODS)
    schema = app.openapi()["components"]["schemas"]["AnalyticsPeriod"]
    assert schema["enum"] == list(ANALYTICS_PERIODS)
    for table in ("analytics_volatility", "analytics_correlation"):
        built = sql(f"select distinct period_days from analytics.{table}")
        assert {row["period_days"] for row in built} == set(ANALYTICS_PERIODS), table
    [row] = sql(
        "select count(distinct coin_a_id) as coins from analytics.analytics_correlation"
        " where period_days = :period",
        period=DEFAULT_ANALYTICS_PERIOD.value,
    )
    assert row["coins"] == CORRELATION_TOP_N
    body = warehouse_client.get("/api/v1/analytics/correlation").json()  # every default
    assert body["period_days"] == DEFAULT_ANALYTICS_PERIOD.value
    assert len(body["coins"]) == CORRELATION_TOP_N
