"""Holdings CRUD, P&L from the latest snapshot, performance from daily closes, owner isolation."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Headers, SqlRunner, new_email, register

HOLDINGS = "/api/v1/portfolio/holdings"


@pytest.fixture
def alice(warehouse_client: TestClient) -> Headers:
    return register(warehouse_client, new_email())


@pytest.fixture
def bob(warehouse_client: TestClient) -> Headers:
    return register(warehouse_client, new_email())


@pytest.fixture(scope="module")
def carol(warehouse_client: TestClient) -> Headers:
    """One user for the bad-input cases: each checks she still has no holding."""
    return register(warehouse_client, new_email())


def _price(sql: SqlRunner, coin_id: str) -> float:
    rows = sql("select price_usd from marts.mv_latest_market_data where coin_id = :c", c=coin_id)
    return rows[0]["price_usd"]


def _holding_rows(sql: SqlRunner, headers: Headers, client: TestClient) -> list[dict]:
    user_id = client.get("/api/v1/auth/me", headers=headers).json()["id"]
    return sql("select * from app.portfolio_holdings where user_id = :u order by id", u=user_id)


def test_create_holding_is_valued_at_the_latest_price(
    warehouse_client: TestClient, sql: SqlRunner, alice: Headers
) -> None:
    response = warehouse_client.post(
        HOLDINGS,
        headers=alice,
        json={"coin_id": "bitcoin", "quantity": "0.5", "buy_price_usd": 20000, "notes": "cold"},
    )
    assert response.status_code == 201
    holding = response.json()
    [row] = _holding_rows(sql, alice, warehouse_client)
    price = _price(sql, "bitcoin")
    assert holding["id"] == row["id"]
    assert (holding["coin_id"], holding["symbol"], holding["name"]) == ("bitcoin", "btc", "Bitcoin")
    assert float(row["quantity"]) == holding["quantity"] == 0.5
    assert holding["current_price_usd"] == price
    assert holding["value_usd"] == pytest.approx(0.5 * price)
    assert holding["cost_basis_usd"] == 10000
    assert holding["pnl_usd"] == pytest.approx(0.5 * price - 10000)
    assert holding["pnl_pct"] == pytest.approx((0.5 * price - 10000) / 10000 * 100)
    assert holding["notes"] == "cold"


# The API stores `notes` exactly as sent: no trimming, no normalising, "" stays "" (not null),
# up to 1,000 characters (characters, not bytes: the column is varchar(1000)).
NOTES_KEPT_AS_SENT = {
    "plain": "cold",
    "surrounding whitespace": "  cold wallet \n",
    "empty": "",
    "1,000 characters": "n" * 1000,
    "1,000 multi-byte characters": "€" * 999 + "🔥",
    "markup and quotes": "<b>'hold'</b> \"forever\"",
}


@pytest.mark.parametrize("notes", NOTES_KEPT_AS_SENT.values(), ids=NOTES_KEPT_AS_SENT.keys())
def test_notes_are_stored_and_returned_exactly_as_sent(
    warehouse_client: TestClient, sql: SqlRunner, alice: Headers, notes: str
) -> None:
    body = {"coin_id": "bitcoin", "quantity": 1, "buy_price_usd": 1, "notes": notes}
    response = warehouse_client.post(HOLDINGS, headers=alice, json=body)
    assert response.status_code == 201, response.text
    assert response.json()["notes"] == notes
    [row] = _holding_rows(sql, alice, warehouse_client)
    assert row["notes"] == notes
    [listed] = warehouse_client.get(HOLDINGS, headers=alice).json()["data"]
    assert listed["notes"] == notes


def test_notes_are_optional_kept_replaced_and_cleared(
    warehouse_client: TestClient, sql: SqlRunner, alice: Headers
) -> None:
    created = warehouse_client.post(
        HOLDINGS, headers=alice, json={"coin_id": "bitcoin", "quantity": 1, "buy_price_usd": 1}
    )
    assert created.status_code == 201 and created.json()["notes"] is None
    url = f"{HOLDINGS}/{created.json()['id']}"

    def stored() -> str | None:
        [row] = _holding_rows(sql, alice, warehouse_client)
        return row["notes"]

    assert stored() is None
    steps: list[tuple[dict, str | None]] = [
        ({"notes": " first "}, " first "),  # set, untrimmed
        ({"quantity": 2}, " first "),  # a PUT without `notes` keeps them
        ({"notes": "second"}, "second"),  # replaced
        ({"notes": ""}, ""),  # emptied, not cleared
        ({"notes": None}, None),  # `null` clears
    ]
    for change, expected in steps:
        response = warehouse_client.put(url, headers=alice, json=change)
        assert response.status_code == 200, (change, response.text)
        assert response.json()["notes"] == expected, change
        assert stored() == expected, change


def test_notes_over_1000_characters_are_422_and_change_nothing(
    warehouse_client: TestClient, sql: SqlRunner, alice: Headers
) -> None:
    too_long = "n" * 1001
    refused = warehouse_client.post(
        HOLDINGS,
        headers=alice,
        json={"coin_id": "bitcoin", "quantity": 1, "buy_price_usd": 1, "notes": too_long},
    )
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert (error["type"], error["loc"], error["ctx"]) == (
        "string_too_long",
        ["body", "notes"],
        {"max_length": 1000},
    )
    assert _holding_rows(sql, alice, warehouse_client) == []

    created = warehouse_client.post(
        HOLDINGS,
        headers=alice,
        json={"coin_id": "bitcoin", "quantity": 1, "buy_price_usd": 1, "notes": "kept"},
    ).json()
    refused = warehouse_client.put(
        f"{HOLDINGS}/{created['id']}", headers=alice, json={"notes": too_long}
    )
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert (error["type"], error["loc"]) == ("string_too_long", ["body", "notes"])
    [row] = _holding_rows(sql, alice, warehouse_client)
    assert row["notes"] == "kept"


def test_unknown_coin_is_422_and_nothing_is_stored(
    warehouse_client: TestClient, sql: SqlRunner, alice: Headers
) -> None:
    response = warehouse_client.post(
        HOLDINGS, headers=alice, json={"coin_id": "no-such-coin", "quantity": 1, "buy_price_usd": 1}
    )
    assert response.status_code == 422
    assert "unknown coin_id 'no-such-coin'" in response.json()["detail"]
    assert _holding_rows(sql, alice, warehouse_client) == []


@pytest.mark.parametrize(
    "body",
    [
        {"coin_id": "bitcoin", "quantity": 0, "buy_price_usd": 1},
        {"coin_id": "bitcoin", "quantity": -1, "buy_price_usd": 1},
        {"coin_id": "bitcoin", "quantity": 1, "buy_price_usd": -0.01},
        {"coin_id": "bitcoin", "quantity": "abc", "buy_price_usd": 1},
        {"coin_id": "bitcoin", "quantity": "NaN", "buy_price_usd": 1},
        {"coin_id": "bitcoin", "quantity": 10**21, "buy_price_usd": 1},
        {"coin_id": "bitcoin", "quantity": "0.0000000000000000001", "buy_price_usd": 1},
        {"coin_id": "bitcoin", "quantity": 1, "buy_price_usd": 1, "notes": "n" * 1001},
        {"coin_id": "b" * 101, "quantity": 1, "buy_price_usd": 1},
        {"coin_id": "bitcoin", "quantity": 1, "buy_price_usd": 1, "bought_at": "yesterday"},
        {"coin_id": "bitcoin", "buy_price_usd": 1},
        {},
    ],
)
def test_bad_holdings_are_422_and_nothing_is_stored(
    warehouse_client: TestClient, sql: SqlRunner, carol: Headers, body: dict
) -> None:
    response = warehouse_client.post(HOLDINGS, headers=carol, json=body)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert _holding_rows(sql, carol, warehouse_client) == []


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b'{"coin_id": "bitcoin", "quantity": ', "json_invalid"),
        (b'{"coin_id": "bitcoin", "quantity": 1e400, "buy_price_usd": 1}', "finite_number"),
        (b'{"coin_id": "bitcoin", "quantity": Infinity, "buy_price_usd": 1}', "finite_number"),
    ],
)
def test_malformed_or_overflowing_json_is_422(
    warehouse_client: TestClient, sql: SqlRunner, carol: Headers, raw: bytes, error: str
) -> None:
    response = warehouse_client.post(
        HOLDINGS, headers={**carol, "Content-Type": "application/json"}, content=raw
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == error
    assert _holding_rows(sql, carol, warehouse_client) == []


def test_update_and_delete(warehouse_client: TestClient, sql: SqlRunner, alice: Headers) -> None:
    created = warehouse_client.post(
        HOLDINGS, headers=alice, json={"coin_id": "bitcoin", "quantity": 1, "buy_price_usd": 100}
    ).json()
    url = f"{HOLDINGS}/{created['id']}"
    response = warehouse_client.put(url, headers=alice, json={"quantity": 3, "coin_id": "ethereum"})
    assert response.status_code == 200
    updated = response.json()
    assert (updated["coin_id"], updated["quantity"], updated["buy_price_usd"]) == (
        "ethereum",
        3,
        100,
    )
    assert updated["value_usd"] == pytest.approx(3 * _price(sql, "ethereum"))
    [row] = _holding_rows(sql, alice, warehouse_client)
    assert row["coin_id"] == "ethereum" and float(row["quantity"]) == 3
    cleared = warehouse_client.put(url, headers=alice, json={"notes": None})
    assert cleared.status_code == 200 and cleared.json()["notes"] is None
    for bad in ({"quantity": None}, {"quantity": 0}, {"coin_id": "nope"}, {"buy_price_usd": -1}):
        assert warehouse_client.put(url, headers=alice, json=bad).status_code == 422, bad
    [row] = _holding_rows(sql, alice, warehouse_client)
    assert row["coin_id"] == "ethereum" and float(row["quantity"]) == 3
    deleted = warehouse_client.delete(url, headers=alice)
    assert deleted.status_code == 200
    assert deleted.json() == {"message": "holding deleted"}
    assert _holding_rows(sql, alice, warehouse_client) == []
    assert warehouse_client.delete(url, headers=alice).status_code == 404


def test_another_users_holding_is_404_and_untouched(
    warehouse_client: TestClient, sql: SqlRunner, alice: Headers, bob: Headers
) -> None:
    created = warehouse_client.post(
        HOLDINGS, headers=alice, json={"coin_id": "solana", "quantity": 2, "buy_price_usd": 10}
    ).json()
    url = f"{HOLDINGS}/{created['id']}"
    assert warehouse_client.get(HOLDINGS, headers=bob).json() == {"data": [], "count": 0}
    for response in (
        warehouse_client.put(url, headers=bob, json={"quantity": 99}),
        warehouse_client.delete(url, headers=bob),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "holding not found"}
    assert warehouse_client.get("/api/v1/portfolio", headers=bob).json()["holdings_count"] == 0
    [row] = _holding_rows(sql, alice, warehouse_client)
    assert float(row["quantity"]) == 2
    mine = warehouse_client.get(HOLDINGS, headers=alice).json()
    assert [holding["id"] for holding in mine["data"]] == [created["id"]]


@pytest.mark.parametrize("holding_id", ["0", "-1", "abc", str(2**31), "99999999999999999999"])
def test_bad_holding_ids_are_422(
    warehouse_client: TestClient, carol: Headers, holding_id: str
) -> None:
    response = warehouse_client.put(f"{HOLDINGS}/{holding_id}", headers=carol, json={})
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/portfolio"),
        ("GET", HOLDINGS),
        ("POST", HOLDINGS),
        ("PUT", f"{HOLDINGS}/1"),
        ("DELETE", f"{HOLDINGS}/1"),
        ("GET", "/api/v1/portfolio/performance"),
    ],
)
def test_portfolio_needs_a_token(warehouse_client: TestClient, method: str, path: str) -> None:
    response = warehouse_client.request(method, path, json={})
    assert response.status_code == 401
    assert "not authenticated" in response.json()["detail"]


def test_summary_and_allocation(
    warehouse_client: TestClient, sql: SqlRunner, alice: Headers
) -> None:
    holdings = [("bitcoin", 1, 1000), ("bitcoin", 1, 3000), ("ethereum", 10, 100)]
    for coin_id, quantity, price in holdings:
        warehouse_client.post(
            HOLDINGS,
            headers=alice,
            json={"coin_id": coin_id, "quantity": quantity, "buy_price_usd": price},
        )
    response = warehouse_client.get("/api/v1/portfolio", headers=alice)
    assert response.status_code == 200
    summary = response.json()
    btc, eth = 2 * _price(sql, "bitcoin"), 10 * _price(sql, "ethereum")
    assert summary["holdings_count"] == 3
    assert summary["total_value_usd"] == pytest.approx(btc + eth)
    assert summary["total_cost_usd"] == 5000
    assert summary["pnl_usd"] == pytest.approx(btc + eth - 5000)
    assert summary["pnl_pct"] == pytest.approx((btc + eth - 5000) / 5000 * 100)
    allocation = {slice_["coin_id"]: slice_ for slice_ in summary["allocation"]}
    assert allocation["bitcoin"]["value_usd"] == pytest.approx(btc)
    assert allocation["bitcoin"]["weight_pct"] == pytest.approx(btc / (btc + eth) * 100)
    assert sum(s["weight_pct"] for s in summary["allocation"]) == pytest.approx(100)


def test_empty_portfolio(warehouse_client: TestClient, alice: Headers) -> None:
    summary = warehouse_client.get("/api/v1/portfolio", headers=alice).json()
    assert summary == {
        "total_value_usd": 0.0,
        "total_cost_usd": 0.0,
        "pnl_usd": 0.0,
        "pnl_pct": None,
        "holdings_count": 0,
        "allocation": [],
    }
    performance = warehouse_client.get("/api/v1/portfolio/performance", headers=alice).json()
    assert performance == {"days": 30, "data": [], "count": 0}


def test_performance_from_daily_closes(
    warehouse_client: TestClient, sql: SqlRunner, alice: Headers
) -> None:
    [last] = sql("select max(date_day) as day from marts.fact_daily_ohlcv")
    bought = last["day"] - timedelta(days=3)
    warehouse_client.post(
        HOLDINGS, headers=alice, json={"coin_id": "bitcoin", "quantity": 2, "buy_price_usd": 5}
    )
    warehouse_client.post(
        HOLDINGS,
        headers=alice,
        json={
            "coin_id": "ethereum",
            "quantity": 1,
            "buy_price_usd": 7,
            "bought_at": datetime.combine(bought, datetime.min.time()).isoformat() + "Z",
        },
    )
    response = warehouse_client.get(
        "/api/v1/portfolio/performance", headers=alice, params={"days": 7}
    )
    assert response.status_code == 200
    body = response.json()
    closes = {
        (row["coin_id"], row["date_day"]): row["close"]
        for row in sql(
            "select coin_id, date_day, close from marts.fact_daily_ohlcv"
            " where coin_id in ('bitcoin', 'ethereum') and date_day > :d",
            d=last["day"] - timedelta(days=7),
        )
    }
    assert body["count"] == 7
    for point in body["data"]:
        day = date.fromisoformat(point["date_day"])
        expected = 2 * closes[("bitcoin", day)]
        cost = 10.0
        if day >= bought:
            expected += closes[("ethereum", day)]
            cost += 7
        assert point["value_usd"] == pytest.approx(expected), day
        assert point["cost_basis_usd"] == pytest.approx(cost)
    assert date.fromisoformat(body["data"][-1]["date_day"]) == last["day"]


@pytest.mark.parametrize("days", ["0", "366"])
def test_performance_days_bounds(warehouse_client: TestClient, carol: Headers, days: str) -> None:
    response = warehouse_client.get(
        "/api/v1/portfolio/performance", headers=carol, params={"days": days}
    )
    assert response.status_code == 422
