"""The simulator's live price stream, in the wire format of Binance's combined miniTicker stream.

Speaking a real feed's format lets one adapter (`live.providers.binance`) serve both the
real exchange and the offline simulator: the consumer cannot tell them apart. Clients ask for
`/ws/prices?streams=btcusdt@miniTicker/ethusdt@miniTicker` (no `streams` = every coin) and get,
every `tick_interval_s`, one `{"stream": ..., "data": {"e": "24hrMiniTicker", ...}}` message per
stream. Prices come from `MarketModel.prices_at(now)`, so they agree with the REST snapshots.
Pairs are quoted in USDT as on Binance, with USDT taken as exactly $1; Tether itself trades
only as the `USDCUSDT` pair. Faults (dropped sockets, malformed messages) are injected by
configuration to exercise the consumer's reconnect and validation paths.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import numpy as np
import orjson
from pydantic import BaseModel, ConfigDict, Field
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from cryptoflow.simulator.market import MarketModel

QUOTE = "USDT"
STREAM_SUFFIX = "@miniTicker"
MALFORMED_SAMPLES: tuple[bytes, ...] = (
    b"{not json",
    b'{"stream": "btcusdt@miniTicker", "data": {"e": "24hrMiniTicker", "s": "BTCUSDT"}}',
    b'{"stream": "btcusdt@miniTicker", "data": {"e": "24hrMiniTicker", "E": 1, '
    b'"s": "BTCUSDT", "c": "not-a-number"}}',
    b'{"stream": "btcusdt@miniTicker", "data": {"e": "24hrMiniTicker", "E": 1, '
    b'"s": "BTCUSDT", "c": "-5"}}',
)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class StreamConfig(BaseModel):
    """How the stream behaves: its pace and the faults it injects (rates are per message)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tick_interval_s: float = Field(default=1.0, gt=0, le=60, description="seconds between batches")
    drop_after_messages: int | None = Field(
        default=None, ge=0, description="close every connection after this many messages"
    )
    drop_rate: float = Field(default=0.0, ge=0, le=1, description="messages that close the socket")
    malformed_rate: float = Field(default=0.0, ge=0, le=1, description="messages sent corrupted")
    seed: int = 0


def _decimal(value: float) -> str:
    """Binance sends decimal strings; ten significant digits keep sub-cent coins exact enough."""
    return str(
        np.format_float_positional(value, precision=10, unique=False, fractional=False, trim="0")
    )


class _TickerBook:
    """Builds miniTicker payloads; the 24 h open/high/low are recomputed once per hour."""

    def __init__(self, model: MarketModel) -> None:
        self.model = model
        self.pairs = {
            f"{coin.symbol.upper()}{QUOTE}": i
            for i, coin in enumerate(model.coins)
            if coin.symbol.upper() != QUOTE
        }
        self._hour: int | None = None
        self._open = self._high = self._low = np.zeros(0)

    def _refresh_day(self, now: datetime) -> None:
        hour = math.floor(now.timestamp() / 3600)
        if hour == self._hour:
            return
        samples = np.vstack(
            [self.model.prices_at(now - timedelta(hours=h)) for h in range(24, -1, -1)]
        )
        self._hour, self._open = hour, samples[0]
        self._high, self._low = samples.max(axis=0), samples.min(axis=0)

    def messages(self, pairs: list[str], now: datetime) -> list[bytes]:
        self._refresh_day(now)
        prices = self.model.prices_at(now)
        quote_volumes = self.model.volumes_at(now)
        event_ms = int(now.timestamp() * 1000)
        out = []
        for pair in pairs:
            i = self.pairs[pair]
            close = float(prices[i])
            data = {
                "e": "24hrMiniTicker",
                "E": event_ms,
                "s": pair,
                "c": _decimal(close),
                "o": _decimal(float(self._open[i])),
                "h": _decimal(max(float(self._high[i]), close)),
                "l": _decimal(min(float(self._low[i]), close)),
                "v": _decimal(float(quote_volumes[i]) / close),
                "q": _decimal(float(quote_volumes[i])),
            }
            out.append(orjson.dumps({"stream": f"{pair.lower()}{STREAM_SUFFIX}", "data": data}))
        return out


def _requested_pairs(websocket: WebSocket, book: _TickerBook) -> list[str]:
    """Known pairs among `?streams=`; unknown streams are ignored, as Binance does."""
    raw = websocket.query_params.get("streams")
    if not raw:
        return sorted(book.pairs)
    names = (
        name.split("@", 1)[0].upper() for name in raw.split("/") if name.endswith("@miniTicker")
    )
    return [pair for pair in dict.fromkeys(names) if pair in book.pairs]


def price_stream_endpoint(
    model: MarketModel, config: StreamConfig | None = None, *, clock: Clock = utc_now
) -> Callable[[WebSocket], Awaitable[None]]:
    """The `/ws/prices` handler: one ticker batch per interval until a fault or the client ends it."""
    config = config or StreamConfig()
    book = _TickerBook(model)
    connections = 0

    async def stream_prices(websocket: WebSocket) -> None:
        nonlocal connections
        connections += 1
        rng = random.Random(f"{config.seed}:{connections}")
        pairs = _requested_pairs(websocket, book)
        await websocket.accept()
        sent = 0
        try:
            while True:
                for message in book.messages(pairs, clock()):
                    limit = config.drop_after_messages
                    if (limit is not None and sent >= limit) or rng.random() < config.drop_rate:
                        await websocket.close(code=1011, reason="simulated drop")
                        return
                    if rng.random() < config.malformed_rate:
                        message = rng.choice(MALFORMED_SAMPLES)
                    await websocket.send_text(message.decode())
                    sent += 1
                await asyncio.sleep(config.tick_interval_s)
        except (WebSocketDisconnect, RuntimeError, OSError):
            return  # the client went away; nothing to clean up

    return stream_prices


def price_stream_route(
    model: MarketModel, config: StreamConfig | None = None, *, clock: Clock = utc_now
) -> WebSocketRoute:
    """`/ws/prices`, ready to add to the simulator's app (`app.router.routes.append(...)`)."""
    return WebSocketRoute("/ws/prices", price_stream_endpoint(model, config, clock=clock))
