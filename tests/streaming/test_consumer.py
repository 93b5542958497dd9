"""The consumer follows the warehouse's coin list while it runs."""

from __future__ import annotations

import asyncio
import contextlib

import redis.asyncio as aioredis
import sqlalchemy as sa
from live_support import eventually, simulator_stream

from cryptoflow.db import make_engine
from cryptoflow.simulator.stream import StreamConfig
from streaming.broadcaster import RedisBroadcaster
from streaming.coins import load_coins
from streaming.consumer import Consumer
from streaming.providers import make_provider


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

    async def coins_in_hash() -> set[str]:
        return {key.decode() for key in await client.hkeys(latest_key)}

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
            assert await coins_in_hash() == {"bitcoin"}
            with engine.begin() as conn:
                conn.execute(sa.text("insert into marts.dim_coin values ('solana', 'sol', 5)"))

            async def solana_streams() -> bool:
                return "solana" in await coins_in_hash()

            await eventually(solana_streams, what="solana ticks after the refresh")
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    await client.aclose()
    engine.dispose()
    assert consumer.provider.stats.connects == 2 and consumer.provider.stats.disconnects == 0
