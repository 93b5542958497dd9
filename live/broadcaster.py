"""Publishing ticks to Redis: the channel the API fans out, and the hash its snapshots read.

A small wrapper around `redis.asyncio` in the manner of encode/broadcaster. Each batch is one
pipeline round trip: a `PUBLISH` per tick (subscribers see every tick, in order) and one `HSET`
of the newest tick per coin. The client retries once at most: the consumer owns the backoff, so
a dead Redis fails fast instead of stalling the feed.
"""

from __future__ import annotations

from collections.abc import Sequence

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from cryptoflow.ticks import Tick


class RedisBroadcaster:
    def __init__(self, url: str, *, channel: str, latest_key: str) -> None:
        self.url = url
        self.channel = channel
        self.latest_key = latest_key
        self._client: redis.Redis | None = None

    async def connect(self) -> None:
        self._client = redis.Redis.from_url(
            self.url, socket_connect_timeout=2, socket_timeout=5, retry=Retry(NoBackoff(), 1)
        )

    async def disconnect(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def publish(self, ticks: Sequence[Tick]) -> None:
        if self._client is None:
            raise RuntimeError("RedisBroadcaster.publish before connect()")
        latest: dict[str, bytes] = {}
        async with self._client.pipeline(transaction=False) as pipe:
            for tick in ticks:
                raw = tick.to_json()
                pipe.publish(self.channel, raw)
                latest[tick.coin_id] = raw
            pipe.hset(self.latest_key, mapping=latest)  # type: ignore[arg-type]
            await pipe.execute()
