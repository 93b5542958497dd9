"""The one Redis subscription of an API process, kept alive across Redis restarts.

Every worker process runs one listener (never one per socket): it subscribes to the prices
channel and the platform events channel (whose events it relays to every client), then reads
the latest-price hash so the hub can answer snapshots and forward what changed during an outage.
Lost connections are retried with jittered exponential backoff; a health-check PING every few
seconds notices a Redis that vanished without closing the socket.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import redis.asyncio as redis
import structlog
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from cryptoflow.backoff import Backoff
from live.hub import PriceHub

log = structlog.get_logger(__name__)


# Turns a platform event from Redis into the frame clients get (None: skip it).
EventRelay = Callable[[bytes], str | None]


class RedisPriceListener:
    def __init__(
        self,
        hub: PriceHub,
        *,
        url: str,
        channel: str,
        latest_key: str,
        events_channel: str | None = None,
        relay_event: EventRelay | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.hub = hub
        self.url = url
        self.channel = channel
        self.latest_key = latest_key
        self.events_channel = events_channel
        self.relay_event = relay_event
        self.backoff = backoff or Backoff(initial_s=0.2, max_s=5.0)

    async def run(self) -> None:
        """Listen until cancelled, reconnecting whenever Redis goes away."""
        while True:
            try:
                await self._listen_once()
            except (RedisError, OSError) as exc:
                delay = self.backoff.next_delay()
                if self.hub.redis_connected:
                    log.warning("redis subscription lost", error=str(exc)[:200])
                self.hub.redis_connected = False
                await asyncio.sleep(delay)

    async def _listen_once(self) -> None:
        client = redis.Redis.from_url(
            self.url,
            socket_connect_timeout=2,
            health_check_interval=5,
            retry=Retry(NoBackoff(), 0),
        )
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(*filter(None, (self.channel, self.events_channel)))
            self.hub.seed((await client.hgetall(self.latest_key)).values())
            self.hub.redis_connected = True
            self.backoff.reset()
            log.info("redis subscription active", channel=self.channel)
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is None:
                    continue
                if self.events_channel and message["channel"] == self.events_channel.encode():
                    self._relay(message["data"])
                else:
                    self.hub.publish_raw(message["data"])
        finally:
            await pubsub.aclose()
            await client.aclose()

    def _relay(self, raw: bytes) -> None:
        frame = self.relay_event(raw) if self.relay_event else raw.decode()
        if frame is None:
            self.hub.stats.malformed += 1
            return
        self.hub.publish_event(frame)
