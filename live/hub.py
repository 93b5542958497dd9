"""Fan-out of live ticks to every WebSocket of this process, cheap enough for 1,000 clients.

One send per client per tick collapses at ~500 clients at 50 ticks/s (p99 122 ms there, 2.2 s at
1,000: docs/stack-notes.md), so ticks are coalesced adaptively: a frame goes out at once, and the
next one is built only when (nearly) every client has been sent the previous one, or after
`coalesce_s` at most; ticks that arrive meanwhile travel together. A few clients get one tick per
frame; a thousand get fewer, larger frames, as many as the process can write. A frame is
serialized once for every unfiltered client and once per distinct coin filter. Each client has a
bounded queue drained by its own sender task: when a slow client's queue is full, its frames are
dropped (and counted), so it never delays anyone else.

Frames (JSON text): `{"type": "snapshot", "data": [tick, ...]}` first on connect and after every
filter change, then `{"type": "ticks", "data": [tick, ...]}`, and `{"type": "heartbeat", "ts": ...}`
every `heartbeat_s` so browsers (which cannot see protocol pings) can tell a quiet feed from a
dead socket. A tick is `cryptoflow.ticks.Tick`: `{coin_id, symbol, price_usd, ts}`. Platform
events (`{"type": "event", ...}`: a new data version, a failed run or check) go to every client
whatever its filter (cryptoflow.platform_events).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import ValidationError

from cryptoflow.ticks import Tick

TickDict = dict[str, Any]


def encode_frame(kind: str, data: list[TickDict]) -> str:
    return orjson.dumps({"type": kind, "data": data}).decode()


@dataclass(eq=False)
class Subscriber:
    """One connected socket: its filter (None = every coin) and its bounded outbox."""

    queue: asyncio.Queue[str]
    coins: frozenset[str] | None = None
    drops: int = 0


@dataclass
class HubStats:
    messages_sent: int = 0
    drops: int = 0
    ticks_received: int = 0
    malformed: int = 0
    frames_built: int = 0
    events_received: int = 0
    last_tick_at: datetime | None = None
    last_event_at: datetime | None = None
    started_at: float = field(default_factory=time.monotonic)


class PriceHub:
    def __init__(
        self, *, queue_size: int = 64, coalesce_s: float = 0.05, heartbeat_s: float = 15.0
    ) -> None:
        self.queue_size = queue_size
        self.coalesce_s = coalesce_s
        self.heartbeat_s = heartbeat_s
        self.subscribers: set[Subscriber] = set()
        self.stats = HubStats()
        self.redis_connected = False
        self._latest: dict[str, tuple[datetime, TickDict]] = {}
        self._pending: list[tuple[str, TickDict]] = []
        self._wakeup = asyncio.Event()
        self._sent_target = 0
        self._caught_up = asyncio.Event()

    # -- input, from the Redis listener -------------------------------------------------------

    def publish_raw(self, raw: bytes | str) -> None:
        """A pub/sub message: one tick or a JSON list of ticks. Bad ones are counted, skipped."""
        try:
            payload = orjson.loads(raw)
            items = payload if isinstance(payload, list) else [payload]
            ticks = [Tick.model_validate(item) for item in items]
        except (orjson.JSONDecodeError, ValidationError):
            self.stats.malformed += 1
            return
        for tick in ticks:
            self._accept(tick, only_if_newer=False)

    def seed(self, raws: Iterable[bytes | str]) -> None:
        """The latest-price hash after (re)subscribing: forward what changed while we were away."""
        for raw in raws:
            try:
                tick = Tick.from_json(raw)
            except ValidationError:
                self.stats.malformed += 1
                continue
            self._accept(tick, only_if_newer=True)

    def _accept(self, tick: Tick, *, only_if_newer: bool) -> None:
        known = self._latest.get(tick.coin_id)
        is_newer = known is None or tick.ts >= known[0]
        if only_if_newer and not (known is None or tick.ts > known[0]):
            return
        data = tick.model_dump(mode="json")
        if is_newer:
            self._latest[tick.coin_id] = (tick.ts, data)
        self._pending.append((tick.coin_id, data))
        self.stats.ticks_received += 1
        self.stats.last_tick_at = datetime.now(UTC)
        self._wakeup.set()

    def publish_event(self, frame: str) -> None:
        """A platform event frame, to every client at once (events are rare; never coalesced)."""
        self.stats.events_received += 1
        self.stats.last_event_at = datetime.now(UTC)
        for subscriber in self.subscribers:
            self.offer(subscriber, frame)

    # -- subscribers --------------------------------------------------------------------------

    def add_subscriber(self) -> Subscriber:
        """Register with the snapshot already queued: no await in between, so no tick is lost."""
        subscriber = Subscriber(queue=asyncio.Queue(self.queue_size))
        subscriber.queue.put_nowait(self._snapshot(None))
        self.subscribers.add(subscriber)
        return subscriber

    def remove_subscriber(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    def set_filter(self, subscriber: Subscriber, coins: Iterable[str] | None) -> None:
        subscriber.coins = None if coins is None else frozenset(coins)
        self.offer(subscriber, self._snapshot(subscriber.coins))

    def _snapshot(self, coins: frozenset[str] | None) -> str:
        data = [
            tick
            for coin_id, (_, tick) in sorted(self._latest.items())
            if coins is None or coin_id in coins
        ]
        return encode_frame("snapshot", data)

    def offer(self, subscriber: Subscriber, frame: str) -> bool:
        """Queue `frame` for `subscriber`, or drop it if that client is too far behind."""
        try:
            subscriber.queue.put_nowait(frame)
        except asyncio.QueueFull:
            subscriber.drops += 1
            self.stats.drops += 1
            return False
        return True

    # -- output -------------------------------------------------------------------------------

    async def run(self) -> None:
        """Flush coalesced ticks and send heartbeats until cancelled."""
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self._flush_forever())
            tasks.create_task(self._heartbeat_forever())

    async def _flush_forever(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            batch, self._pending = self._pending, []
            offered = self._fan_out(batch)
            # Wait for all but 1% of the sends: one stalled client must not set everyone's pace.
            self._sent_target = self.stats.messages_sent + offered - offered // 100
            self._caught_up.clear()
            if self.stats.messages_sent < self._sent_target:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.coalesce_s):
                        await self._caught_up.wait()

    def frame_sent(self) -> None:
        """Called by a client's sender after each frame written to its socket."""
        self.stats.messages_sent += 1
        if self.stats.messages_sent >= self._sent_target:
            self._caught_up.set()

    def _fan_out(self, batch: list[tuple[str, TickDict]]) -> int:
        """Queue the batch's frames; return how many were queued (not dropped)."""
        frames: dict[frozenset[str] | None, str | None] = {}
        queued = 0
        for subscriber in self.subscribers:
            key = subscriber.coins
            if key not in frames:
                data = [tick for coin_id, tick in batch if key is None or coin_id in key]
                frames[key] = encode_frame("ticks", data) if data else None
                self.stats.frames_built += bool(data)
            frame = frames[key]
            if frame is not None:
                queued += self.offer(subscriber, frame)
        return queued

    async def _heartbeat_forever(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_s)
            frame = orjson.dumps({"type": "heartbeat", "ts": datetime.now(UTC)}).decode()
            for subscriber in self.subscribers:
                self.offer(subscriber, frame)

    def status(self) -> dict[str, Any]:
        return {
            "connections": len(self.subscribers),
            "messages_sent": self.stats.messages_sent,
            "drops": self.stats.drops,
            "ticks_received": self.stats.ticks_received,
            "malformed": self.stats.malformed,
            "frames_built": self.stats.frames_built,
            "coins": len(self._latest),
            "uptime_s": round(time.monotonic() - self.stats.started_at, 3),
            "redis_connected": self.redis_connected,
            "events_received": self.stats.events_received,
            "last_tick_at": self.stats.last_tick_at,
            "last_event_at": self.stats.last_event_at,
            "pid": os.getpid(),
        }
