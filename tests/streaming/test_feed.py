"""The simulator's Binance-format stream and the Binance adapter reading it (no Redis involved)."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
import websockets

from cryptoflow.db import make_engine
from cryptoflow.simulator.market import MarketModel
from cryptoflow.simulator.stream import StreamConfig
from cryptoflow.ticks import Tick
from live.coins import CoinRef, load_coins, simulator_coins
from live.providers import (
    BINANCE_STREAM_URL,
    COINBASE_STREAM_URL,
    BinanceFeed,
    CoinbaseFeed,
    MalformedMessage,
    WebSocketFeed,
    make_provider,
)
from live.providers.coinbase import usd_products
from tests.streaming.live_support import SEED, eventually, simulator_stream

FAST = StreamConfig(tick_interval_s=0.05)
BTC_ETH_USDT = [CoinRef("bitcoin", "btc"), CoinRef("ethereum", "eth"), CoinRef("tether", "usdt")]


async def test_stream_speaks_binance_combined_miniticker_with_model_prices() -> None:
    async with simulator_stream(FAST) as url:
        query = "?streams=btcusdt@miniTicker/ethusdt@miniTicker/nosuchusdt@miniTicker"
        async with websockets.connect(url + query) as socket:
            messages = [orjson.loads(await socket.recv()) for _ in range(6)]
    assert {m["stream"] for m in messages} == {"btcusdt@miniTicker", "ethusdt@miniTicker"}
    model = MarketModel(seed=SEED)
    for message in messages:
        data = message["data"]
        assert data["e"] == "24hrMiniTicker" and set(data) >= {
            "E",
            "s",
            "c",
            "o",
            "h",
            "l",
            "v",
            "q",
        }
        index = 0 if data["s"] == "BTCUSDT" else 1
        expected = model.prices_at(datetime.fromtimestamp(data["E"] / 1000, UTC))[index]
        assert float(data["c"]) == pytest.approx(expected, rel=1e-6)
        assert float(data["l"]) <= float(data["c"]) <= float(data["h"])


async def test_stream_drops_the_socket_after_n_messages() -> None:
    config = StreamConfig(tick_interval_s=0.01, drop_after_messages=5)
    received = []
    async with (
        simulator_stream(config) as url,
        websockets.connect(url + "?streams=btcusdt@miniTicker") as socket,
    ):
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                received.append(await socket.recv())
    assert len(received) == 5
    assert socket.close_code == 1011


def test_binance_parse_maps_pairs_to_coins_and_prices_tether_against_usdc() -> None:
    feed = BinanceFeed("wss://example.invalid/stream", [*BTC_ETH_USDT, CoinRef("usd-coin", "usdc")])
    assert "usdcusdt@miniTicker" in feed.connect_url()
    assert "usdtusdt" not in feed.connect_url()
    raw = orjson.dumps(
        {
            "stream": "usdcusdt@miniTicker",
            "data": {"e": "24hrMiniTicker", "E": 1_700_000_000_000, "s": "USDCUSDT", "c": "1.0002"},
        }
    )
    ticks = {tick.coin_id: tick for tick in feed.parse(raw)}
    assert ticks["usd-coin"].price_usd == pytest.approx(1.0002)
    assert ticks["tether"].price_usd == pytest.approx(1 / 1.0002)
    assert ticks["tether"].ts == datetime.fromtimestamp(1_700_000_000, UTC)
    other_pair = raw.replace(b"USDCUSDT", b"DOGEUSDT")
    assert feed.parse(other_pair) == []
    for bad in (b"[", raw.replace(b'"1.0002"', b'"NaN"'), raw.replace(b"24hrMiniTicker", b"trade")):
        with pytest.raises((MalformedMessage, ValueError)):
            feed.parse(bad)


def test_provider_is_chosen_by_url() -> None:
    assert make_provider("ws://127.0.0.1:1/ws/prices", BTC_ETH_USDT).name == "binance"
    assert make_provider(BINANCE_STREAM_URL, BTC_ETH_USDT).name == "binance"
    assert make_provider(COINBASE_STREAM_URL, BTC_ETH_USDT).name == "coinbase"
    with pytest.raises(ValueError, match="ws://"):
        make_provider("http://127.0.0.1:1/ws/prices", BTC_ETH_USDT)


async def _collect(feed: WebSocketFeed, count: int) -> list[Tick]:
    ticks: list[Tick] = []
    async for tick in feed.ticks():
        ticks.append(tick)
        if len(ticks) >= count:
            break
    return ticks


async def test_feed_reconnects_after_upstream_drops_and_ticks_resume() -> None:
    config = StreamConfig(tick_interval_s=0.01, drop_after_messages=10)
    async with simulator_stream(config) as url:
        feed = make_provider(url, BTC_ETH_USDT, idle_timeout_s=5)
        feed.backoff.initial_s = 0.01
        ticks = await _collect(feed, 45)
    assert feed.stats.connects >= 3 and feed.stats.disconnects >= 2
    assert {tick.coin_id for tick in ticks} == {"bitcoin", "ethereum", "tether"}
    assert ticks[-1].ts > ticks[0].ts


async def test_malformed_provider_messages_are_counted_and_skipped() -> None:
    async with simulator_stream(StreamConfig(tick_interval_s=0.01, malformed_rate=0.4)) as url:
        feed = make_provider(url, BTC_ETH_USDT)
        ticks = await _collect(feed, 60)
    assert feed.stats.malformed > 0
    assert feed.stats.connects == 1  # a bad frame never costs the connection
    assert feed.stats.messages >= feed.stats.malformed + 40  # 60 ticks from ≥ 40 good messages
    assert all(tick.price_usd > 0 for tick in ticks)


async def test_feed_keeps_retrying_while_the_upstream_is_down() -> None:
    feed = make_provider("ws://127.0.0.1:9/ws/prices", BTC_ETH_USDT)
    feed.backoff.initial_s = 0.01
    feed.backoff.max_s = 0.05
    iterator = feed.ticks()
    pending = asyncio.ensure_future(anext(iterator))
    await eventually(lambda: feed.stats.disconnects >= 3, what="three failed connects")
    pending.cancel()
    assert feed.stats.connects == 0


def test_coins_come_from_dim_coin_else_the_simulator(database_url: str) -> None:
    assert load_coins(database_url) == simulator_coins()  # no table yet
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("create table marts.dim_coin (coin_id text, symbol text, market_cap_rank int)")
        )
    assert load_coins(database_url) == simulator_coins()  # table still empty
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "insert into marts.dim_coin values ('bitcoin', 'btc', 1), "
                "('ethereum', 'eth', 2), ('fake-btc', 'BTC', 90)"
            )
        )
    engine.dispose()
    assert load_coins(database_url) == [CoinRef("bitcoin", "btc"), CoinRef("ethereum", "eth")]


def test_coinbase_subscribes_only_to_online_usd_products_and_parses_tickers() -> None:
    products: list[dict[str, Any]] = [
        {"id": "BTC-USD", "quote_currency": "USD", "status": "online"},
        {"id": "ETH-USD", "quote_currency": "USD", "status": "delisted"},
        {"id": "ETH-EUR", "quote_currency": "EUR", "status": "online"},
        {"id": "USDT-USD", "quote_currency": "USD", "status": "online", "trading_disabled": False},
    ]
    tradable = usd_products(products, BTC_ETH_USDT)
    assert sorted(tradable) == ["BTC-USD", "USDT-USD"]
    feed = CoinbaseFeed(COINBASE_STREAM_URL, BTC_ETH_USDT)
    feed.products = tradable
    ticker = {
        "type": "ticker",
        "product_id": "BTC-USD",
        "price": "64123.45",
        "time": "2026-11-29T10:00:00.123456Z",
        "best_bid": "64123.44",
    }
    (tick,) = feed.parse(orjson.dumps(ticker))
    assert (tick.coin_id, tick.symbol, tick.price_usd) == ("bitcoin", "btc", 64123.45)
    assert tick.ts == datetime(2026, 11, 29, 10, 0, 0, 123456, UTC)
    assert feed.parse(orjson.dumps({"type": "subscriptions", "channels": []})) == []
    assert feed.parse(orjson.dumps({**ticker, "product_id": "DOGE-USD"})) == []
    for bad in (
        {**ticker, "price": "-1"},
        {**ticker, "time": "yesterday"},
        {
            "type": "error",
            "message": "Failed to subscribe",
            "reason": "FOO-USD is not a valid product",
        },
    ):
        with pytest.raises(ValueError):
            feed.parse(orjson.dumps(bad))
