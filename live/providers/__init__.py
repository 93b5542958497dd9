"""Feed adapters behind one interface (`async for tick in provider.ticks()`), chosen by URL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from live.coins import CoinRef
from live.providers.base import FeedStats, MalformedMessage, PriceProvider, WebSocketFeed
from live.providers.binance import BINANCE_STREAM_URL, BinanceFeed
from live.providers.coinbase import COINBASE_STREAM_URL, CoinbaseFeed

__all__ = [
    "BINANCE_STREAM_URL",
    "COINBASE_STREAM_URL",
    "BinanceFeed",
    "CoinbaseFeed",
    "FeedStats",
    "MalformedMessage",
    "PriceProvider",
    "WebSocketFeed",
    "make_provider",
]


def make_provider(url: str, coins: Sequence[CoinRef], **kwargs: Any) -> WebSocketFeed:
    """Coinbase for its hosts, else Binance's format (Binance itself and the simulator)."""
    split = urlsplit(url)
    if split.scheme not in {"ws", "wss"} or not split.hostname:
        raise ValueError(f"PRICE_STREAM_URL must be a ws:// or wss:// URL, got {url!r}")
    if split.hostname.endswith("coinbase.com"):
        return CoinbaseFeed(url, coins, **kwargs)
    return BinanceFeed(url, coins, **kwargs)
