"""Coinbase Exchange `ticker` channel adapter: the second keyless public feed.

`wss://ws-feed.exchange.coinbase.com` needs no key for public channels; a
`{"type": "subscribe", "product_ids": [...], "channels": ["ticker"]}` must arrive within 5 s,
then every trade yields a `ticker` message with `product_id`, `price` (string) and `time`.
One unknown product id fails the whole subscription, so the subscription only names USD
products that the public REST product list reports as online. Coinbase quotes in USD itself;
USDC has no book there (it converts 1:1 to USD), so it gets no ticks from this feed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx
import orjson
import structlog

from cryptoflow.ticks import Tick
from live.coins import CoinRef
from live.providers.base import MalformedMessage, WebSocketFeed

log = structlog.get_logger(__name__)

COINBASE_STREAM_URL = "wss://ws-feed.exchange.coinbase.com"
COINBASE_PRODUCTS_URL = "https://api.exchange.coinbase.com/products"


def usd_products(products: list[dict[str, Any]], coins: Sequence[CoinRef]) -> dict[str, CoinRef]:
    """`BTC-USD` → coin, for our coins that Coinbase trades against USD right now."""
    online = {
        product["id"]
        for product in products
        if product.get("quote_currency") == "USD"
        and product.get("status") == "online"
        and not product.get("trading_disabled", False)
    }
    wanted = {f"{coin.symbol.upper()}-USD": coin for coin in coins}
    return {product_id: coin for product_id, coin in wanted.items() if product_id in online}


class CoinbaseFeed(WebSocketFeed):
    name = "coinbase"

    def __init__(
        self,
        url: str,
        coins: Sequence[CoinRef],
        *,
        products_url: str = COINBASE_PRODUCTS_URL,
        **kwargs: Any,
    ) -> None:
        super().__init__(url, coins, **kwargs)
        self.products_url = products_url
        self.products: dict[str, CoinRef] = {}

    def connect_url(self) -> str:
        return self.url

    async def subscribe_messages(self) -> list[str]:
        """Refresh the tradable products on every (re)connect; an outage here is a retry too."""
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                response = await client.get(self.products_url)
                response.raise_for_status()
                self.products = usd_products(response.json(), self.coins)
        except (httpx.HTTPError, ValueError) as exc:
            raise OSError(f"Coinbase product list unavailable: {exc}") from exc
        message = {
            "type": "subscribe",
            "product_ids": sorted(self.products),
            "channels": ["ticker"],
        }
        return [orjson.dumps(message).decode()]

    def parse(self, raw: str | bytes) -> list[Tick]:
        message = orjson.loads(raw)
        kind = message.get("type")
        if kind == "error":
            reason = f"{message.get('message')}: {message.get('reason')}"
            log.warning("coinbase refused", reason=reason)
            raise MalformedMessage(f"Coinbase error {reason}")
        if kind != "ticker":
            return []  # subscription acks and heartbeats carry no price
        coin = self.products.get(message["product_id"])
        if coin is None:
            return []
        price = float(message["price"])
        if not (math.isfinite(price) and price > 0):
            raise MalformedMessage(f"bad price {message['price']!r}")
        ts = datetime.fromisoformat(message["time"])
        return [Tick(coin_id=coin.coin_id, symbol=coin.symbol, price_usd=price, ts=ts)]
