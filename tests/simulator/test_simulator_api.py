"""The simulator speaks CoinGecko: field names and types, parameters, errors, determinism."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from cryptoflow.simulator.server import SimConfig, serve_in_thread

AT = datetime(2025, 6, 1, 12, 34, 56, tzinfo=UTC)
NUMBER = (int, float)
OPTIONAL_NUMBER = (int, float, type(None))
# Every field of a /coins/markets row, with the JSON types CoinGecko sends.
MARKET_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "symbol": (str,),
    "name": (str,),
    "image": (str,),
    "current_price": NUMBER,
    "market_cap": (int,),
    "market_cap_rank": (int,),
    "fully_diluted_valuation": (int, type(None)),
    "total_volume": (int,),
    "high_24h": OPTIONAL_NUMBER,
    "low_24h": OPTIONAL_NUMBER,
    "price_change_24h": OPTIONAL_NUMBER,
    "price_change_percentage_24h": OPTIONAL_NUMBER,
    "market_cap_change_24h": OPTIONAL_NUMBER,
    "market_cap_change_percentage_24h": OPTIONAL_NUMBER,
    "circulating_supply": NUMBER,
    "total_supply": OPTIONAL_NUMBER,
    "max_supply": OPTIONAL_NUMBER,
    "ath": NUMBER,
    "ath_change_percentage": NUMBER,
    "ath_date": (str,),
    "atl": NUMBER,
    "atl_change_percentage": NUMBER,
    "atl_date": (str,),
    "roi": (dict, type(None)),
    "last_updated": (str,),
}


@pytest.fixture(scope="module")
def sim():
    with serve_in_thread(SimConfig(seed=42, now=AT)) as running:
        yield running


def get(sim, path: str, **params) -> httpx.Response:
    return httpx.get(f"{sim.base_url}{path}", params=params, timeout=10)


def markets(sim, **params) -> list[dict]:
    response = get(sim, "/coins/markets", vs_currency="usd", **params)
    assert response.status_code == 200, response.text
    return response.json()


def test_ping(sim) -> None:
    assert get(sim, "/ping").json() == {"gecko_says": "(V3) To the Moon!"}


def test_markets_rows_have_coingeckos_fields_and_types(sim) -> None:
    rows = markets(sim, per_page=50, page=1)
    assert len(rows) == 50 and len({row["id"] for row in rows}) == 50
    for row in rows:
        assert list(row) == list(MARKET_FIELDS)  # same names, same order, nothing extra
        for field, types in MARKET_FIELDS.items():
            assert isinstance(row[field], types), (row["id"], field, row[field])
        assert row["low_24h"] <= row["current_price"] <= row["high_24h"]
        assert row["atl"] <= row["current_price"] <= row["ath"]
        datetime.strptime(row["ath_date"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert [row["market_cap_rank"] for row in rows] == list(range(1, 51))
    assert [row["market_cap"] for row in rows] == sorted(
        (row["market_cap"] for row in rows), reverse=True
    )
    assert rows[0]["id"] == "bitcoin"
    # last_updated is the snapshot boundary (1-minute windows), in CoinGecko's format.
    assert {row["last_updated"] for row in rows} == {"2025-06-01T12:34:00.000Z"}
    roi = next(row["roi"] for row in rows if row["id"] == "ethereum")
    assert set(roi) == {"times", "currency", "percentage"}


def test_markets_optional_fields_and_paging(sim) -> None:
    rows = markets(sim, per_page=10, page=2, sparkline="true", price_change_percentage="1h,24h,7d")
    assert len(rows) == 10 and rows[0]["market_cap_rank"] == 11
    for row in rows:
        prices = row["sparkline_in_7d"]["price"]
        assert len(prices) == 168 and all(isinstance(p, float) for p in prices)
        for window in ("1h", "24h", "7d"):
            assert isinstance(row[f"price_change_percentage_{window}_in_currency"], float)
        assert "price_change_percentage_30d_in_currency" not in row
    assert markets(sim, per_page=250, page=2) == []
    by_id = markets(sim, order="id_asc", per_page=3)
    assert [row["id"] for row in by_id] == sorted(row["id"] for row in markets(sim, per_page=50))[
        :3
    ]
    only = markets(sim, ids="ethereum,solana")
    assert {row["id"] for row in only} == {"ethereum", "solana"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "Missing parameter vs_currency"),
        ({"vs_currency": "usd", "per_page": 0}, "per_page"),
        ({"vs_currency": "usd", "per_page": 251}, "per_page"),
        ({"vs_currency": "usd", "page": "x"}, "page"),
        ({"vs_currency": "usd", "order": "price_desc"}, "order"),
        ({"vs_currency": "usd", "price_change_percentage": "2h"}, "price_change_percentage"),
        ({"vs_currency": "usd", "sparkline": "maybe"}, "sparkline"),
        ({"vs_currency": "xyz"}, "vs_currency"),
    ],
)
def test_markets_bad_parameters_are_400_json(sim, params, message) -> None:
    response = get(sim, "/coins/markets", **params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_same_snapshot_window_same_bytes_and_next_window_moves(sim) -> None:
    first = get(sim, "/coins/markets", vs_currency="usd", per_page=50).content
    assert get(sim, "/coins/markets", vs_currency="usd", per_page=50).content == first
    sim.set_clock(AT + timedelta(seconds=3))  # same minute
    assert get(sim, "/coins/markets", vs_currency="usd", per_page=50).content == first
    sim.set_clock(AT + timedelta(minutes=10))
    later = markets(sim, per_page=1)[0]
    assert later["last_updated"] == "2025-06-01T12:44:00.000Z"
    sim.set_clock(AT)


def test_same_seed_same_data_other_seed_other_data() -> None:
    def snapshot(seed: int) -> tuple[bytes, bytes]:
        with serve_in_thread(SimConfig(seed=seed, now=AT)) as other:
            rows = get(other, "/coins/markets", vs_currency="usd", per_page=50).content
            chart = get(other, "/coins/solana/market_chart", vs_currency="usd", days=30).content
            return rows, chart

    assert snapshot(7) == snapshot(7)
    assert snapshot(7) != snapshot(8)


def _steps(points: list[list[float]]) -> set[float]:
    grid = [p[0] for p in points[:-1]]  # the last point is "now"
    return {b - a for a, b in itertools.pairwise(grid)}


@pytest.mark.parametrize(
    ("days", "step_ms", "count"),
    [(1, 300_000, 289), (2, 3_600_000, 49), (90, 3_600_000, 2161), (91, 86_400_000, 92)],
)
def test_market_chart_granularity(sim, days, step_ms, count) -> None:
    chart = get(sim, "/coins/bitcoin/market_chart", vs_currency="usd", days=days).json()
    assert set(chart) == {"prices", "market_caps", "total_volumes"}
    prices = chart["prices"]
    assert len(prices) == count
    assert _steps(prices) == {step_ms}
    assert prices[-1][0] == int(datetime(2025, 6, 1, 12, 34, tzinfo=UTC).timestamp() * 1000)
    assert [p[0] for p in chart["market_caps"]] == [p[0] for p in prices]
    if step_ms == 86_400_000:
        assert all(p[0] % 86_400_000 == 0 for p in prices[:-1])  # daily at 00:00 UTC


@pytest.mark.parametrize(
    ("days", "candle_ms"),
    [(1, 1_800_000), (7, 14_400_000), (30, 14_400_000), (90, 345_600_000), (365, 345_600_000)],
)
def test_ohlc_candle_sizes(sim, days, candle_ms) -> None:
    candles = get(sim, "/coins/ethereum/ohlc", vs_currency="usd", days=days).json()
    assert candles and all(len(c) == 5 for c in candles)
    assert _steps([*candles, candles[-1]]) == {candle_ms}
    assert abs(len(candles) - days * 86_400_000 / candle_ms) < 1  # complete candles only
    for _ts, open_, high, low, close in candles:
        assert low <= min(open_, close) <= max(open_, close) <= high


def test_history_errors(sim) -> None:
    missing = get(sim, "/coins/not-a-coin/market_chart", vs_currency="usd", days=1)
    assert missing.status_code == 404 and missing.json() == {"error": "coin not found"}
    assert get(sim, "/coins/not-a-coin/ohlc", vs_currency="usd", days=1).status_code == 404
    assert get(sim, "/coins/bitcoin/ohlc", vs_currency="usd", days=2).status_code == 400
    assert get(sim, "/coins/bitcoin/market_chart", vs_currency="usd").status_code == 400
    assert get(sim, "/coins/bitcoin/market_chart", vs_currency="usd", days="x").status_code == 400


def test_global(sim) -> None:
    data = get(sim, "/global").json()["data"]
    assert isinstance(data["active_cryptocurrencies"], int) and isinstance(data["markets"], int)
    assert data["total_market_cap"]["usd"] > data["total_volume"]["usd"] > 0
    dominance = data["market_cap_percentage"]
    assert list(dominance)[:2] == ["btc", "eth"] and 0 < sum(dominance.values()) < 100
    assert isinstance(data["market_cap_change_percentage_24h_usd"], float)
    assert data["updated_at"] == int(datetime(2025, 6, 1, 12, 34, tzinfo=UTC).timestamp())
