"""Feed adapters behind one interface (`async for tick in provider.ticks()`), chosen by URL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from streaming.coins import CoinRef
from streaming.providers.base import FeedStats, MalformedMessage, PriceProvider, WebSocketFeed
from streaming.providers.binance import BINANCE_STREAM_URL, BinanceFeed

__all__ = [
    "BINANCE_STREAM_URL",
    "BinanceFeed",
    "FeedStats",
    "MalformedMessage",
    "PriceProvider",
    "WebSocketFeed",
    "make_provider",
]


def make_provider(url: str, coins: Sequence[CoinRef], **kwargs: Any) -> WebSocketFeed:
    """The adapter that speaks the feed at `url`; the simulator speaks Binance's format."""
    split = urlsplit(url)
    if split.scheme not in {"ws", "wss"}:
        raise ValueError(f"PRICE_STREAM_URL must be a ws:// or wss:// URL, got {url!r}")
    return BinanceFeed(url, coins, **kwargs)
