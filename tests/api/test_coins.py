"""Coins: list (pagination/search/sort), sparklines, one coin, history, OHLCV, coin analytics."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.api.conftest import SqlRunner, make_settings, sql_runner

COINS = "/api/v1/coins"
SORTABLE = [
    "market_cap_rank",
    "name",
    "symbol",
    "price_usd",
    "market_cap_usd",
    "volume_24h_usd",
    "price_change_24h_pct",
]


def _mv(sql: SqlRunner) -> list[dict]:
    return sql("select * from marts.mv_latest_market_data order by market_cap_rank, coin_id")


def test_list_is_the_mv_by_rank(warehouse_client: TestClient, sql: SqlRunner) -> None:
    response = warehouse_client.get(COINS)
    assert response.status_code == 200
    body = response.json()
    mv = _mv(sql)
    assert body["count"] == len(mv) == 50
    assert [coin["coin_id"] for coin in body["data"]] == [row["coin_id"] for row in mv]
    for coin, row in zip(body["data"], mv, strict=True):
        assert coin["price_usd"] == row["price_usd"]
        assert coin["market_cap_usd"] == row["market_cap_usd"]
        assert coin["price_change_24h_pct"] == row["price_change_24h_pct"]
        assert datetime.fromisoformat(coin["snapshot_at"]) == row["snapshot_at"]
        assert (coin["symbol"], coin["name"], coin["category"]) == (
            row["symbol"],
            row["name"],
            row["category"],
        )


def test_pages(warehouse_client: TestClient, sql: SqlRunner) -> None:
    ids = [row["coin_id"] for row in _mv(sql)]
    page2 = warehouse_client.get(COINS, params={"page": 2, "per_page": 20}).json()
    assert page2["count"] == 50
    assert [coin["coin_id"] for coin in page2["data"]] == ids[20:40]
    last = warehouse_client.get(COINS, params={"page": 3, "per_page": 20}).json()
    assert [coin["coin_id"] for coin in last["data"]] == ids[40:]
    beyond = warehouse_client.get(COINS, params={"page": 9, "per_page": 20})
    assert beyond.status_code == 200
    assert (beyond.json()["data"], beyond.json()["count"]) == ([], 50)


@pytest.mark.parametrize("field", SORTABLE)
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sort_by_every_column(
    warehouse_client: TestClient, sql: SqlRunner, field: str, order: str
) -> None:
    response = warehouse_client.get(COINS, params={"sort": field, "order": order, "per_page": 250})
    assert response.status_code == 200
    values = [coin[field] for coin in response.json()["data"]]
    present = [value for value in values if value is not None]
    assert present == sorted(present, reverse=order == "desc")
    assert values[: len(present)] == present  # nulls last
    assert len(values) == 50


def test_search_matches_id_symbol_or_name(warehouse_client: TestClient, sql: SqlRunner) -> None:
    response = warehouse_client.get(COINS, params={"search": "BIT"})
    assert response.status_code == 200
    expected = {
        row["coin_id"]
        for row in _mv(sql)
        if any("bit" in row[key].lower() for key in ("coin_id", "symbol", "name"))
    }
    body = response.json()
    assert {coin["coin_id"] for coin in body["data"]} == expected
    assert body["count"] == len(expected) >= 2  # bitcoin, wrapped-bitcoin, ...


@pytest.mark.parametrize("search", ["%", "_", "\\", "' or 1=1 --", "bitcoin'; drop table x; --"])
def test_search_wildcards_and_sql_are_literal(
    warehouse_client: TestClient, sql: SqlRunner, search: str
) -> None:
    response = warehouse_client.get(COINS, params={"search": search})
    assert response.status_code == 200
    assert (response.json()["data"], response.json()["count"]) == ([], 0)
    assert sql("select count(*) as n from marts.mv_latest_market_data")[0]["n"] == 50


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "password"},
        {"sort": "price_usd; drop table marts.dim_coin"},
        {"order": "sideways"},
        {"page": 0},
        {"page": -1},
        {"per_page": 0},
        {"per_page": 251},
        {"per_page": "ten"},
        {"page": "99999999999999999999999"},
        {"search": "x" * 101},
    ],
)
def test_bad_list_parameters_are_422(
    warehouse_client: TestClient, sql: SqlRunner, params: dict
) -> None:
    response = warehouse_client.get(COINS, params=params)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", next(iter(params))]
    assert error["msg"]
    assert sql("select count(*) as n from marts.dim_coin")[0]["n"] == 50


def test_sparklines(warehouse_client: TestClient, sql: SqlRunner) -> None:
    response = warehouse_client.get(
        f"{COINS}/sparklines", params={"ids": "ethereum, bitcoin,no-such-coin,bitcoin"}
    )
    assert response.status_code == 200
    body = response.json()
    assert [line["coin_id"] for line in body["data"]] == ["bitcoin", "ethereum"]
    assert body["count"] == 2
    stored = {
        row["coin_id"]: row["sparkline_7d"]
        for row in sql("select coin_id, sparkline_7d from marts.mv_latest_market_data")
    }
    for line in body["data"]:
        assert line["prices"] == stored[line["coin_id"]]
        assert len(line["prices"]) >= 100  # hourly over 7 days
    every = warehouse_client.get(f"{COINS}/sparklines").json()
    assert every["count"] == 50


def test_sparklines_bounded(warehouse_client: TestClient) -> None:
    ids = ",".join(f"coin-{index}" for index in range(101))
    response = warehouse_client.get(f"{COINS}/sparklines", params={"ids": ids})
    assert response.status_code == 422
    assert "at most 100 ids" in response.json()["detail"][0]["msg"]


def test_one_coin(warehouse_client: TestClient, sql: SqlRunner) -> None:
    response = warehouse_client.get(f"{COINS}/ethereum")
    assert response.status_code == 200
    coin = response.json()
    [row] = sql("select * from marts.mv_latest_market_data where coin_id = 'ethereum'")
    [version] = sql("select * from app.data_versions where dataset = 'market'")
    assert (coin.pop("run_id"), datetime.fromisoformat(coin.pop("as_of"))) == (
        version["run_id"],
        version["as_of"],
    )
    for key, value in coin.items():
        expected = row[key]
        if isinstance(expected, datetime):
            value = datetime.fromisoformat(value)
        assert value == expected, key


@pytest.mark.parametrize(
    "path", ["no-such-coin", "no-such-coin/history", "no-such-coin/ohlcv", "no-such-coin/analytics"]
)
def test_unknown_coin_is_404_with_a_message(warehouse_client: TestClient, path: str) -> None:
    response = warehouse_client.get(f"{COINS}/{path}")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "coin 'no-such-coin' not found (use a CoinGecko id such as 'bitcoin')"
    }


def test_coin_id_too_long_is_422(warehouse_client: TestClient) -> None:
    assert warehouse_client.get(f"{COINS}/{'x' * 101}").status_code == 422


@pytest.mark.parametrize(("days", "interval"), [(1, "snapshot"), (7, "hour"), (365, "day")])
def test_history(warehouse_client: TestClient, sql: SqlRunner, days: int, interval: str) -> None:
    response = warehouse_client.get(f"{COINS}/bitcoin/history", params={"days": days})
    assert response.status_code == 200
    body = response.json()
    assert (body["coin_id"], body["days"], body["interval"]) == ("bitcoin", days, interval)
    assert body["count"] == len(body["data"]) > 0
    times = [datetime.fromisoformat(point["ts"]) for point in body["data"]]
    assert times == sorted(times)
    [latest] = sql(
        "select max(snapshot_at) as at from marts.fact_market_data where coin_id = 'bitcoin'"
    )
    assert times[-1] == latest["at"]
    assert (latest["at"] - times[0]).total_seconds() < days * 86400
    facts = {
        row["snapshot_at"]: row["price_usd"]
        for row in sql(
            "select snapshot_at, price_usd from marts.fact_market_data where coin_id = 'bitcoin'"
        )
    }
    for time, point in zip(times, body["data"], strict=True):
        assert point["price_usd"] == facts[time]
    if interval == "day":
        assert len({time.date() for time in times}) == len(times)
    if interval == "hour":
        assert len({time.replace(minute=0, second=0) for time in times}) == len(times)


@pytest.mark.parametrize(
    ("days", "mart"),
    [
        (1, "fact_market_data"),
        (2, "fact_price_hourly"),
        (90, "fact_price_hourly"),
        (91, "fact_price_daily"),
        (365, "fact_price_daily"),
    ],
)
def test_history_points_are_the_rows_of_its_mart(
    warehouse_client: TestClient, sql: SqlRunner, days: int, mart: str
) -> None:
    """The endpoint serves the mart of its granularity as it is: the coin's rows of the `days`
    ending at its newest one, nothing bucketed, dropped or added on the way."""
    body = warehouse_client.get(f"{COINS}/ethereum/history", params={"days": days}).json()
    rows = sql(f"""
        select snapshot_at, price_usd, market_cap_usd, volume_24h_usd from marts.{mart}
        where coin_id = 'ethereum' order by snapshot_at
    """)
    since = rows[-1]["snapshot_at"] - timedelta(days=days)
    expected = [row for row in rows if row["snapshot_at"] > since]
    assert len(expected) < len(rows)  # the window cuts the mart
    assert [
        (datetime.fromisoformat(p["ts"]), p["price_usd"], p["market_cap_usd"], p["volume_24h_usd"])
        for p in body["data"]
    ] == [tuple(row.values()) for row in expected]
    assert body["count"] == len(expected)


def test_a_known_coin_without_points_has_empty_history_and_candles(
    warehouse_db: str, redis_url: str, redis_namespace: str
) -> None:
    """No rows in the mart is not 'no such coin': a coin of dim_coin answers 200, empty."""
    sql = sql_runner(warehouse_db)
    sql("delete from marts.fact_price_daily where coin_id = 'bitcoin'")
    sql("delete from marts.fact_daily_ohlcv where coin_id = 'bitcoin'")
    settings = make_settings(warehouse_db, redis_url, redis_namespace)
    with TestClient(create_app(settings)) as client:
        history = client.get(f"{COINS}/bitcoin/history", params={"days": 365})
        candles = client.get(f"{COINS}/bitcoin/ohlcv", params={"days": 365})
    assert history.status_code == candles.status_code == 200
    assert (history.json()["data"], history.json()["count"]) == ([], 0)
    assert (candles.json()["data"], candles.json()["count"]) == ([], 0)


def test_ohlcv(warehouse_client: TestClient, sql: SqlRunner) -> None:
    response = warehouse_client.get(f"{COINS}/ethereum/ohlcv", params={"days": 7})
    assert response.status_code == 200
    body = response.json()
    rows = sql("""
        select date_day, open, high, low, close, volume, grain, points from marts.fact_daily_ohlcv
        where coin_id = 'ethereum' order by date_day desc limit 7
    """)[::-1]
    assert body["count"] == 7
    assert [date.fromisoformat(candle["date_day"]) for candle in body["data"]] == [
        row["date_day"] for row in rows
    ]
    for candle, row in zip(body["data"], rows, strict=True):
        assert candle["low"] <= min(candle["open"], candle["close"])
        assert (candle["open"], candle["high"], candle["low"], candle["close"]) == (
            row["open"],
            row["high"],
            row["low"],
            row["close"],
        )
        assert (candle["grain"], candle["points"]) == (row["grain"], row["points"])


def test_ohlcv_says_which_days_are_close_only(warehouse_client: TestClient) -> None:
    """A year of candles: hourly history makes the last 90 days candles, older days have only
    their daily close and say so."""
    candles = warehouse_client.get(f"{COINS}/bitcoin/ohlcv", params={"days": 365}).json()["data"]
    grains = [candle["grain"] for candle in candles]
    assert set(grains[-89:-1]) == {"hourly"}
    # today's bar: in the first hour of a UTC day a single hourly point does not make the grain,
    # and the snapshots taken since may (finer, still a candle)
    assert grains[-1] in {"hourly", "snapshots"}
    assert set(grains[:-100]) == {"daily_close"}
    for candle in candles[:-100]:
        assert candle["points"] == 1
        assert candle["open"] == candle["high"] == candle["low"] == candle["close"]


def test_candle_grains_are_the_warehouse_grains() -> None:
    """The API's grain values are fact_daily_ohlcv's (its yml's accepted_values)."""
    import typing

    import yaml

    from api.schemas.coins import CandleGrain
    from cryptoflow.dbt_project import DBT_PROJECT_DIR

    models = yaml.safe_load((DBT_PROJECT_DIR / "models/marts/_marts__models.yml").read_text())
    [ohlcv] = [model for model in models["models"] if model["name"] == "fact_daily_ohlcv"]
    [grain] = [column for column in ohlcv["columns"] if column["name"] == "grain"]
    [accepted] = [t["accepted_values"] for t in grain["data_tests"] if "accepted_values" in t]
    assert list(typing.get_args(CandleGrain)) == accepted["arguments"]["values"]


@pytest.mark.parametrize("days", [7, 30, 90])
def test_history_up_to_90_days_is_hourly_over_the_whole_window(
    warehouse_client: TestClient, days: int
) -> None:
    """The backfill's hourly history: a 7/30/90-day window has a point in (nearly) every hour."""
    body = warehouse_client.get(f"{COINS}/solana/history", params={"days": days}).json()
    assert body["interval"] == "hour"
    assert body["count"] >= days * 24 - 2


@pytest.mark.parametrize("endpoint", ["history", "ohlcv"])
@pytest.mark.parametrize("days", ["0", "366", "-5", "1.5", "week"])
def test_days_outside_1_to_365_are_422(
    warehouse_client: TestClient, endpoint: str, days: str
) -> None:
    response = warehouse_client.get(f"{COINS}/bitcoin/{endpoint}", params={"days": days})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "days"]


def test_coin_analytics(warehouse_client: TestClient, sql: SqlRunner) -> None:
    response = warehouse_client.get(f"{COINS}/bitcoin/analytics", params={"period": 90, "limit": 3})
    assert response.status_code == 200
    body = response.json()
    risk = sql("""
        select period_days, volatility, max_drawdown, sharpe_ratio
        from analytics.analytics_volatility where coin_id = 'bitcoin' order by period_days
    """)
    assert [
        (m["period_days"], m["volatility"], m["max_drawdown"], m["sharpe_ratio"])
        for m in body["risk"]
    ] == [tuple(row.values()) for row in risk]
    assert [m["period_days"] for m in body["risk"]] == [7, 30, 90, 365]
    pairs = sql("""
        select coin_b_id, correlation from analytics.analytics_correlation
        where coin_a_id = 'bitcoin' and coin_b_id <> 'bitcoin' and period_days = 90
        order by correlation desc, coin_b_id
    """)
    assert [(c["coin_id"], c["correlation"]) for c in body["most_correlated"]] == [
        (row["coin_b_id"], row["correlation"]) for row in pairs[:3]
    ]
    assert [c["coin_id"] for c in body["least_correlated"]] == [
        row["coin_b_id"] for row in pairs[::-1][:3]
    ]
    assert all(c["symbol"] and c["name"] for c in body["most_correlated"])


@pytest.mark.parametrize("params", [{"period": 14}, {"period": "month"}, {"limit": 0}])
def test_coin_analytics_bad_parameters(warehouse_client: TestClient, params: dict) -> None:
    assert warehouse_client.get(f"{COINS}/bitcoin/analytics", params=params).status_code == 422
