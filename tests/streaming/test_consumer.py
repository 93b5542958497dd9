"""The consumer follows the warehouse's coin list while it runs, and always stops when cancelled."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import redis.asyncio as aioredis
import sqlalchemy as sa

from cryptoflow.db import make_engine
from cryptoflow.simulator.stream import StreamConfig
from cryptoflow.ticks import Tick
from live.broadcaster import RedisBroadcaster
from live.coins import CoinRef, load_coins
from live.consumer import SHUTDOWN_S, Consumer
from live.providers import make_provider
from live.providers.base import FeedStats
from tests.streaming.live_support import eventually, simulator_stream


async def test_consumer_resubscribes_when_dim_coin_changes(
    database_url: str, redis_url: str, redis_namespace: str
) -> None:
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("create table marts.dim_coin (coin_id text, symbol text, market_cap_rank int)")
        )
        conn.execute(sa.text("insert into marts.dim_coin values ('bitcoin', 'btc', 1)"))
    client = aioredis.Redis.from_url(redis_url)
    latest_key = f"{redis_namespace}:latest"

    async def coins_in_hash() -> set[bytes | str]:
        return set(await client.hkeys(latest_key))

    async with simulator_stream(StreamConfig(tick_interval_s=0.05)) as stream_url:
        consumer = Consumer(
            make_provider(stream_url, load_coins(database_url)),
            RedisBroadcaster(redis_url, channel=f"{redis_namespace}:prices", latest_key=latest_key),
            coin_source=lambda: load_coins(database_url),
            coin_refresh_s=0.2,
        )
        task = asyncio.create_task(consumer.run())
        try:
            await eventually(lambda: consumer.stats.published >= 5, what="bitcoin ticks")
            assert await coins_in_hash() == {b"bitcoin"}
            with engine.begin() as conn:
                conn.execute(sa.text("insert into marts.dim_coin values ('solana', 'sol', 5)"))

            async def solana_streams() -> bool:
                return b"solana" in await coins_in_hash()

            await eventually(solana_streams, what="solana ticks after the refresh")
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    await client.aclose()
    engine.dispose()
    assert consumer.provider.stats.connects == 2 and consumer.provider.stats.disconnects == 0


class FlatOutProvider:
    """A feed with a tick always ready, so the consumer is writing to Redis nearly all the time."""

    name = "flat-out"

    def __init__(self) -> None:
        self.stats = FeedStats()
        self.coins: list[CoinRef] = []

    async def ticks(self) -> AsyncIterator[Tick]:
        for i in range(10**9):
            await asyncio.sleep(0)
            yield Tick(coin_id=f"coin-{i % 5}", symbol="c", price_usd=1.0 + i, ts=datetime.now(UTC))

    def set_coins(self, coins: Sequence[CoinRef]) -> None:
        self.coins = list(coins)


def _has_published(consumer: Consumer) -> bool:
    return consumer.stats.published > 0


async def test_cancel_always_stops_the_consumer_mid_publish(
    redis_url: str, redis_namespace: str
) -> None:
    """redis-py on Python 3.11 can swallow a cancel that lands as a write completes; before the
    consumer re-cancelled, about one cancel in 10 left it waiting forever."""
    rng = random.Random(11)
    for attempt in range(150):
        broadcaster = RedisBroadcaster(
            redis_url, channel=f"{redis_namespace}:prices", latest_key=f"{redis_namespace}:latest"
        )
        consumer = Consumer(FlatOutProvider(), broadcaster)
        task = asyncio.create_task(consumer.run())
        await eventually(functools.partial(_has_published, consumer), what="publishing")
        await asyncio.sleep(rng.uniform(0, 0.01))  # a random point of the publish cycle
        task.cancel()
        done, _ = await asyncio.wait([task], timeout=SHUTDOWN_S + 1)
        assert done, f"cancel #{attempt} did not stop the consumer"
        assert task.cancelled()
    client = aioredis.Redis.from_url(redis_url)
    await client.delete(f"{redis_namespace}:latest")
    await client.aclose()
