"""Binance spot combined-stream miniTicker adapter (also the simulator's stream format).

Binance's public market streams need no API key: `wss://stream.binance.com:9443/stream?streams=
btcusdt@miniTicker/...` pushes one `24hrMiniTicker` per symbol about every second, wrapped in a
`{"stream", "data"}` envelope. Coins are quoted in USDT, taken as $1 (a few basis points off at
most). Tether cannot be quoted in itself, so it is priced as 1 / USDCUSDT, i.e. against USDC.
Binance ends every connection after 24 h and answers HTTP 451 to US addresses: both end in the
shared reconnect loop.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from cryptoflow.ticks import Tick
from live.coins import CoinRef
from live.providers.base import MalformedMessage, WebSocketFeed

BINANCE_STREAM_URL = "wss://stream.binance.com:9443/stream"
QUOTE = "USDT"
TETHER_PAIR = "USDCUSDT"


def pair_targets(coins: Sequence[CoinRef]) -> dict[str, list[tuple[CoinRef, bool]]]:
    """Exchange pair → the coins it prices, each with whether the price is inverted."""
    targets: dict[str, list[tuple[CoinRef, bool]]] = {}
    for coin in coins:
        if coin.symbol.upper() == QUOTE:
            targets.setdefault(TETHER_PAIR, []).append((coin, True))
        else:
            targets.setdefault(f"{coin.symbol.upper()}{QUOTE}", []).append((coin, False))
    return targets


class BinanceFeed(WebSocketFeed):
    name = "binance"

    def __init__(self, url: str, coins: Sequence[CoinRef], **kwargs: Any) -> None:
        super().__init__(url, coins, **kwargs)
        self.targets = pair_targets(self.coins)

    def set_coins(self, coins: Sequence[CoinRef]) -> None:
        super().set_coins(coins)
        self.targets = pair_targets(self.coins)

    def connect_url(self) -> str:
        streams = "/".join(f"{pair.lower()}@miniTicker" for pair in self.targets)
        return f"{self.url}{'&' if '?' in self.url else '?'}streams={streams}"

    def parse(self, raw: str | bytes) -> list[Tick]:
        message = orjson.loads(raw)
        data = message["data"] if "stream" in message else message
        ticks: list[Tick] = []
        for item in data if isinstance(data, list) else [data]:
            if item.get("e") != "24hrMiniTicker":
                raise MalformedMessage(f"not a miniTicker: {str(item)[:80]}")
            close = float(item["c"])
            if not (math.isfinite(close) and close > 0):
                raise MalformedMessage(f"bad close price {item['c']!r}")
            ts = datetime.fromtimestamp(int(item["E"]) / 1000, UTC)
            for coin, inverted in self.targets.get(item["s"], []):
                price = 1.0 / close if inverted else close
                ticks.append(Tick(coin_id=coin.coin_id, symbol=coin.symbol, price_usd=price, ts=ts))
        return ticks
