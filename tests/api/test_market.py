"""Market overview: totals from the newest `/global` row, movers from the MV; and its cache."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.api.conftest import SqlRunner, make_settings, record_version, sql_runner

OVERVIEW = "/api/v1/market/overview"


def test_overview(warehouse_client: TestClient, sql: SqlRunner) -> None:
    response = warehouse_client.get(OVERVIEW, params={"movers": 3})
    assert response.status_code == 200
    body = response.json()
    [totals] = sql("select * from marts.fact_global_market order by snapshot_at desc limit 1")
    assert body["total_market_cap_usd"] == totals["total_market_cap_usd"]
    assert body["total_volume_24h_usd"] == totals["total_volume_24h_usd"]
    assert body["btc_dominance_pct"] == totals["btc_dominance_pct"]
    assert body["market_cap_change_24h_pct"] == totals["market_cap_change_24h_pct"]
    assert body["active_cryptocurrencies"] == totals["active_cryptocurrencies"]
    assert datetime.fromisoformat(body["global_updated_at"]) == totals["snapshot_at"]
    coins = sql("""
        select coin_id, price_change_24h_pct, snapshot_at from marts.mv_latest_market_data
        where price_change_24h_pct is not null order by price_change_24h_pct desc, coin_id desc
    """)
    assert body["active_coins"] == 50
    assert datetime.fromisoformat(body["snapshot_at"]) == max(row["snapshot_at"] for row in coins)
    assert [c["coin_id"] for c in body["top_gainers"]] == [r["coin_id"] for r in coins[:3]]
    assert [c["coin_id"] for c in body["top_losers"]] == [r["coin_id"] for r in coins[::-1][:3]]
    assert body["top_gainers"][0]["price_change_24h_pct"] == coins[0]["price_change_24h_pct"]


@pytest.mark.parametrize("movers", ["0", "26", "many"])
def test_movers_bounds(warehouse_client: TestClient, movers: str) -> None:
    response = warehouse_client.get(OVERVIEW, params={"movers": movers})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "movers"]


def add_snapshot(database_url: str, *, coin_id: str, price_factor: float) -> float:
    """What an ingest does for one coin: a newer snapshot, the MV refresh, a new data version."""
    sql = sql_runner(database_url)
    [row] = sql(
        """
        insert into marts.fact_market_data
        select (jsonb_populate_record(f, jsonb_build_object(
            'snapshot_at', f.snapshot_at + interval '10 minutes',
            'price_usd', f.price_usd * :factor
        ))).*
        from marts.fact_market_data as f
        where coin_id = :coin_id and source = 'snapshot'
        order by snapshot_at desc
        limit 1
        returning price_usd
        """,
        coin_id=coin_id,
        factor=price_factor,
    )
    sql("refresh materialized view marts.mv_latest_market_data")
    record_version(database_url, "market")
    return row["price_usd"]


def _bitcoin_price(client: TestClient) -> float:
    coins = client.get("/api/v1/coins").json()["data"]
    return next(coin["price_usd"] for coin in coins if coin["coin_id"] == "bitcoin")


def serve(warehouse_db: str, redis_url: str, redis_namespace: str, poll_s: float) -> TestClient:
    settings = make_settings(warehouse_db, redis_url, redis_namespace, api_versions_poll_s=poll_s)
    return TestClient(create_app(settings))


def test_answers_follow_a_new_market_version(
    warehouse_db: str, redis_url: str, redis_namespace: str
) -> None:
    with serve(warehouse_db, redis_url, redis_namespace, poll_s=0) as client:
        before = _bitcoin_price(client)
        overview_before = client.get(OVERVIEW).json()
        new_price = add_snapshot(warehouse_db, coin_id="bitcoin", price_factor=2.0)
        assert new_price == pytest.approx(before * 2)
        assert _bitcoin_price(client) == new_price
        overview = client.get(OVERVIEW).json()
        assert datetime.fromisoformat(overview["snapshot_at"]) == datetime.fromisoformat(
            overview_before["snapshot_at"]
        ) + timedelta(minutes=10)


def test_answers_are_kept_until_the_process_learns_of_a_new_version(
    warehouse_db: str, redis_url: str, redis_namespace: str
) -> None:
    with serve(warehouse_db, redis_url, redis_namespace, poll_s=3600) as client:
        before = _bitcoin_price(client)
        add_snapshot(warehouse_db, coin_id="bitcoin", price_factor=2.0)
        assert _bitcoin_price(client) == before  # no event, no poll yet: the kept answer
        fresh = client.get("/api/v1/coins/bitcoin").json()  # never asked: read now
        assert fresh["price_usd"] == pytest.approx(before * 2)
