"""Fan-out of live ticks to every WebSocket of this process, cheap enough for thousands of clients.

A fan-out writes one frame to every client synchronously: the frame is serialized once per
distinct coin filter (once for all unfiltered clients) and written straight to each client's
transport (live.wire), with no task woken and no await per client. Ticks arriving during a
fan-out travel together in the next frame, and the next fan-out waits half as long as the last
one took (at most `coalesce_s`), so with many clients frames grow larger rather than more
frequent and the fan-out never takes more than two thirds of the process. A client whose socket is not
draining (more than the outlet's byte limit unsent) is skipped, its frames counted as drops;
once it drains it gets a fresh snapshot first, so it never shows a price older than the others.

Frames (JSON text): `{"type": "snapshot", "data": [tick, ...]}` first on connect and after every
filter change, then `{"type": "ticks", "data": [tick, ...]}`, and `{"type": "heartbeat", "ts": ...}`
every `heartbeat_s` so browsers (which cannot see protocol pings) can tell a quiet feed from a
dead socket. A tick is `cryptoflow.ticks.Tick`: `{coin_id, symbol, price_usd, ts}`. Platform
events (`{"type": "event", ...}`: a new data version, a failed run or check) go to every client
whatever its filter (cryptoflow.platform_events).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import ValidationError

from cryptoflow.ticks import Tick
from live.wire import Frame, Outlet, TransportOutlet

TickDict = dict[str, Any]
Filter = frozenset[str] | None


def encode_frame(kind: str, data: list[TickDict]) -> Frame:
    return Frame(orjson.dumps({"type": kind, "data": data}).decode())


@dataclass(eq=False)
class Subscriber:
    """One connected socket: its filter (None = every coin) and where its frames go."""

    outlet: Outlet
    coins: Filter = None
    behind: bool = False  # a frame was not taken: the next one it gets is a snapshot
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
        self,
        *,
        coalesce_s: float = 0.05,
        heartbeat_s: float = 15.0,
        client_buffer_bytes: int = 256 * 1024,
    ) -> None:
        self.coalesce_s = coalesce_s
        self.client_buffer_bytes = client_buffer_bytes
        self.heartbeat_s = heartbeat_s
        self.subscribers: set[Subscriber] = set()
        self.stats = HubStats()
        self.redis_connected = False
        self._latest: dict[str, tuple[datetime, TickDict]] = {}
        self._pending: list[tuple[str, TickDict]] = []
        self._wakeup = asyncio.Event()

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

    def publish_event(self, text: str) -> None:
        """A platform event frame, to every client at once (events are rare; never coalesced)."""
        self.stats.events_received += 1
        self.stats.last_event_at = datetime.now(UTC)
        self._to_everyone(Frame(text))

    # -- subscribers --------------------------------------------------------------------------

    def add_subscriber(self, outlet: Outlet) -> Subscriber:
        """Register with the snapshot already written: no await in between, so no tick is lost."""
        subscriber = Subscriber(outlet)
        self.offer(subscriber, self._snapshot(None))
        self.subscribers.add(subscriber)
        return subscriber

    def remove_subscriber(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    def set_filter(self, subscriber: Subscriber, coins: Iterable[str] | None) -> None:
        subscriber.coins = None if coins is None else frozenset(coins)
        subscriber.behind = not self.offer(subscriber, self._snapshot(subscriber.coins))

    def _snapshot(self, coins: Filter) -> Frame:
        data = [
            tick
            for coin_id, (_, tick) in sorted(self._latest.items())
            if coins is None or coin_id in coins
        ]
        return encode_frame("snapshot", data)

    def offer(self, subscriber: Subscriber, frame: Frame) -> bool:
        """Write `frame` to `subscriber`, or count a drop if that client is not draining."""
        if subscriber.outlet.write(frame):
            self.stats.messages_sent += 1
            return True
        subscriber.behind = True
        subscriber.drops += 1
        self.stats.drops += 1
        return False

    # -- output -------------------------------------------------------------------------------

    async def run(self) -> None:
        """Fan out coalesced ticks and send heartbeats until cancelled."""
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self._flush_forever())
            tasks.create_task(self._heartbeat_forever())

    async def _flush_forever(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            batch, self._pending = self._pending, []
            started = time.perf_counter()
            self._fan_out(batch)
            # Half as long as this fan-out took: ticks arriving meanwhile share the next frame.
            await asyncio.sleep(min(self.coalesce_s, (time.perf_counter() - started) / 2))

    def _fan_out(self, batch: list[tuple[str, TickDict]]) -> None:
        frames: dict[Filter, Frame | None] = {}
        snapshots: dict[Filter, Frame] = {}
        for subscriber in self.subscribers:  # writes never (un)register anyone
            key = subscriber.coins
            if subscriber.behind:
                if key not in snapshots:
                    snapshots[key] = self._snapshot(key)
                subscriber.behind = not self.offer(subscriber, snapshots[key])
                continue
            if key not in frames:
                data = [tick for coin_id, tick in batch if key is None or coin_id in key]
                frames[key] = encode_frame("ticks", data) if data else None
                self.stats.frames_built += bool(data)
            frame = frames[key]
            if frame is not None:
                self.offer(subscriber, frame)

    def _to_everyone(self, frame: Frame) -> None:
        for subscriber in self.subscribers:  # writes never (un)register anyone
            self.offer(subscriber, frame)

    async def _heartbeat_forever(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_s)
            self._to_everyone(
                Frame(orjson.dumps({"type": "heartbeat", "ts": datetime.now(UTC)}).decode())
            )

    def status(self) -> dict[str, Any]:
        return {
            "connections": len(self.subscribers),
            "transport_connections": sum(
                isinstance(s.outlet, TransportOutlet) for s in self.subscribers
            ),
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
