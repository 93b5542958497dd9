"""The provider interface and the reconnecting WebSocket loop every feed adapter shares.

A provider is anything with `async for tick in provider.ticks()`: it owns its connection and
never ends on its own. Drops, refused connections, silent sockets and HTTP errors at the
handshake all lead to a reconnect after an exponential, jittered delay; the delay resets once a
connection delivers a message again. A message that does not parse is counted and skipped: one
bad frame must not cost the connection.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import structlog
import websockets
from websockets.exceptions import InvalidURI, WebSocketException

from cryptoflow.backoff import Backoff
from cryptoflow.ticks import Tick
from live.coins import CoinRef

log = structlog.get_logger(__name__)


class MalformedMessage(ValueError):
    """A provider message that is not what the feed's documentation promises."""


@dataclass
class FeedStats:
    """Running totals of one provider (never reset; the consumer logs per-minute deltas)."""

    connects: int = 0
    disconnects: int = 0
    messages: int = 0
    malformed: int = 0
    ticks: int = 0


class PriceProvider(Protocol):
    name: str
    stats: FeedStats
    coins: list[CoinRef]

    def ticks(self) -> AsyncIterator[Tick]: ...

    def set_coins(self, coins: Sequence[CoinRef]) -> None: ...


class WebSocketFeed(ABC):
    """Connect → subscribe → parse messages into ticks, reconnecting forever."""

    name = "websocket"

    def __init__(
        self,
        url: str,
        coins: Sequence[CoinRef],
        *,
        backoff: Backoff | None = None,
        idle_timeout_s: float = 30.0,
    ) -> None:
        self.url = url
        self.coins = list(coins)
        self.backoff = backoff or Backoff(initial_s=0.5, max_s=30.0)
        self.idle_timeout_s = idle_timeout_s
        self.stats = FeedStats()
        self._resubscribe = False

    @abstractmethod
    def connect_url(self) -> str:
        """The URL to open (combined-stream feeds put the subscription in it)."""

    async def subscribe_messages(self) -> list[str]:
        """Messages to send right after connecting (feeds that subscribe in-band)."""
        return []

    @abstractmethod
    def parse(self, raw: str | bytes) -> list[Tick]:
        """Ticks of our coins in one message ([] for other pairs); raise on malformed input."""

    def set_coins(self, coins: Sequence[CoinRef]) -> None:
        """Stream these coins from now on: the feed resubscribes after its next message."""
        self.coins = list(coins)
        self._resubscribe = True

    async def ticks(self) -> AsyncIterator[Tick]:
        while True:
            self._resubscribe = False
            try:
                async with websockets.connect(
                    self.connect_url(), open_timeout=10, max_size=2**22
                ) as socket:
                    self.stats.connects += 1
                    log.info("feed connected", feed=self.name, url=self.url, coins=len(self.coins))
                    for message in await self.subscribe_messages():
                        await socket.send(message)
                    while not self._resubscribe:
                        async with asyncio.timeout(self.idle_timeout_s):
                            raw = await socket.recv()
                        self.backoff.reset()
                        self.stats.messages += 1
                        for tick in self._parse_counted(raw):
                            yield tick
            except InvalidURI:
                raise
            except (WebSocketException, OSError, TimeoutError) as exc:
                self.stats.disconnects += 1
                delay = self.backoff.next_delay()
                log.warning(
                    "feed lost, reconnecting",
                    feed=self.name,
                    error=f"{type(exc).__name__}: {exc}"[:200],
                    retry_in_s=round(delay, 2),
                )
                await asyncio.sleep(delay)

    def _parse_counted(self, raw: str | bytes) -> list[Tick]:
        try:
            ticks = self.parse(raw)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self.stats.malformed += 1
            log.debug("malformed feed message skipped", feed=self.name, error=str(exc)[:200])
            return []
        self.stats.ticks += len(ticks)
        return ticks
