"""Consumer → Redis → API fan-out, end to end over real sockets, Redis and uvicorn workers."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import redis.asyncio as aioredis

from cryptoflow.aio import cancel_and_wait
from cryptoflow.services import EmbeddedRedis, free_port
from cryptoflow.simulator.stream import StreamConfig
from cryptoflow.ticks import Tick
from live.broadcaster import RedisBroadcaster
from live.coins import CoinRef
from live.consumer import SHUTDOWN_S, Consumer
from live.providers import make_provider
from tests.streaming.live_support import (
    ApiServer,
    Recorder,
    eventually,
    simulator_stream,
    tick_json,
)

COINS = [CoinRef("bitcoin", "btc"), CoinRef("ethereum", "eth"), CoinRef("solana", "sol")]


@contextlib.asynccontextmanager
async def running_consumer(
    stream_url: str, redis_url: str, namespace: str
) -> AsyncIterator[Consumer]:
    provider = make_provider(stream_url, COINS)
    provider.backoff.initial_s = 0.02
    broadcaster = RedisBroadcaster(
        redis_url, channel=f"{namespace}:prices", latest_key=f"{namespace}:latest"
    )
    consumer = Consumer(provider, broadcaster, log_interval_s=0.5)
    consumer.redis_backoff.initial_s = 0.05
    task = asyncio.create_task(consumer.run())
    try:
        yield consumer
    finally:
        assert not await cancel_and_wait([task], timeout_s=SHUTDOWN_S + 1), "consumer hung"


@contextlib.asynccontextmanager
async def api_server(redis_url: str, namespace: str, **kwargs: object) -> AsyncIterator[ApiServer]:
    server = ApiServer(redis_url, namespace, **kwargs)  # type: ignore[arg-type]
    try:
        yield await server.start()
    finally:
        server.stop()


def ts_of(tick: dict) -> datetime:
    return Tick.model_validate(tick).ts


async def test_consumer_tick_reaches_two_clients_snapshot_first(
    redis_url: str, redis_namespace: str
) -> None:
    client = aioredis.Redis.from_url(redis_url)
    async with (
        simulator_stream(StreamConfig(tick_interval_s=0.05)) as stream_url,
        api_server(redis_url, redis_namespace) as api,
        running_consumer(stream_url, redis_url, redis_namespace) as consumer,
    ):
        await eventually(lambda: consumer.stats.published >= 3, what="first ticks published")
        latest = await client.hgetall(f"{redis_namespace}:latest")
        assert set(latest) == {b"bitcoin", b"ethereum", b"solana"}
        async with Recorder(api.ws_url) as first, Recorder(api.ws_url) as second:
            await eventually(
                lambda: all(len(r.ticks()) >= 6 for r in (first, second)), what="ticks at both"
            )
            for recorder in (first, second):
                kind, data = recorder.frames[0][1]["type"], recorder.frames[0][1]["data"]
                assert kind == "snapshot"
                assert {tick["coin_id"] for tick in data} == {"bitcoin", "ethereum", "solana"}
                snapshot_ts = max(ts_of(tick) for tick in data)
                assert all(ts_of(tick) >= snapshot_ts for tick in recorder.ticks())
            status = api.status()
    await client.aclose()
    assert status["connections"] == 2 and status["messages_sent"] >= 4
    assert status["redis_connected"] and status["ticks_received"] >= 6
    assert status["uptime_s"] > 0 and status["drops"] == 0 and status["coins"] == 3


async def test_filter_selects_coins_and_bad_requests_get_an_error(
    redis_url: str, redis_namespace: str
) -> None:
    heartbeat = {"CRYPTOFLOW_WS_HEARTBEAT_S": "0.2"}
    async with (
        simulator_stream(StreamConfig(tick_interval_s=0.05)) as stream_url,
        api_server(redis_url, redis_namespace, extra_env=heartbeat) as api,
        running_consumer(stream_url, redis_url, redis_namespace) as consumer,
    ):
        await eventually(lambda: consumer.stats.published >= 3, what="first ticks published")
        async with Recorder(api.ws_url) as filtered, Recorder(api.ws_url) as everything:
            await eventually(lambda: len(filtered.frames) >= 1, what="first snapshot")
            await filtered.send({"action": "subscribe", "coins": ["bitcoin"]})
            await eventually(lambda: len(filtered.of_type("snapshot")) == 2, what="new snapshot")
            await eventually(lambda: len(after_filter(filtered)) >= 8, what="filtered ticks")
            await filtered.send({"action": "dance"})
            await filtered.send("not json at all")
            await eventually(lambda: len(filtered.of_type("error")) == 2, what="error frames")
            await eventually(lambda: len(everything.ticks()) >= 30, what="unfiltered ticks")
            await eventually(lambda: len(everything.of_type("heartbeat")) >= 2, what="heartbeats")
    assert [tick["coin_id"] for tick in filtered.of_type("snapshot")[1]["data"]] == ["bitcoin"]
    assert {tick["coin_id"] for tick in after_filter(filtered)} == {"bitcoin"}
    assert {tick["coin_id"] for tick in everything.ticks()} == {"bitcoin", "ethereum", "solana"}


def after_filter(recorder: Recorder) -> list[dict]:
    """Ticks received after the second snapshot (the answer to the subscribe message)."""
    kinds = [frame["type"] for _, frame in recorder.frames]
    if kinds.count("snapshot") < 2:
        return []
    start = [i for i, kind in enumerate(kinds) if kind == "snapshot"][1]
    frames = [frame for _, frame in recorder.frames[start:] if frame["type"] == "ticks"]
    return [tick for frame in frames for tick in frame["data"]]


def stalled_client(port: int) -> socket.socket:
    """A client that completes the WebSocket handshake and then never reads a byte."""
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect(("127.0.0.1", port))
    raw.sendall(
        b"GET /api/v1/ws/prices HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n"
    )
    assert raw.recv(12) == b"HTTP/1.1 101"
    return raw


BULK_PUBLISHES = 150
PUBLISH_INTERVAL_S = 0.02
# The readers' delay with a stalled client beside them, against their delay in the same run
# with none: a fan-out that waited on the stalled socket would delay them without bound.
STALLED_DELAY_FACTOR = 20


async def publish_bulky_ticks(client: aioredis.Redis, channel: str) -> int:
    """~7.5 MB in 3 s, far beyond what a stalled socket buffers; returns the ticks sent."""
    padding = "x" * 200
    sent = 0
    for _ in range(BULK_PUBLISHES):
        batch = [orjson.loads(tick_json(f"coin-{i}-{padding}", 1.0 + i)) for i in range(250)]
        await client.publish(channel, orjson.dumps(batch))
        sent += len(batch)
        await asyncio.sleep(PUBLISH_INTERVAL_S)
    return sent


def newest_tick_delays(frames: list[tuple[float, dict[str, Any]]]) -> list[float]:
    """Publish → arrival of the newest tick of each ticks frame."""
    return [
        at - ts_of(tick).timestamp()
        for at, frame in frames
        if frame["type"] == "ticks"
        for tick in frame["data"][-1:]
    ]


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.9 * (len(ordered) - 1))]


async def test_a_client_that_never_reads_does_not_delay_the_others(
    redis_url: str, redis_namespace: str
) -> None:
    """Bulky ticks fill the stalled socket's buffers; the others still get every tick, as
    promptly as the same readers got the same burst in this run with no stalled client."""
    client = aioredis.Redis.from_url(redis_url)
    channel = f"{redis_namespace}:prices"
    env = {"CRYPTOFLOW_WS_CLIENT_BUFFER_KB": "16"}
    async with api_server(redis_url, redis_namespace, extra_env=env) as api:
        async with Recorder(api.ws_url) as fast_a, Recorder(api.ws_url) as fast_b:
            readers = (fast_a, fast_b)
            await eventually(lambda: all(r.frames for r in readers), what="the snapshots")
            sent = await publish_bulky_ticks(client, channel)
            await eventually(
                lambda: all(len(r.ticks()) == sent for r in readers),
                timeout_s=60,
                what="every tick of the baseline burst",
            )
            baseline_status = api.status()
            marks = [len(r.frames) for r in readers]

            stalled = stalled_client(api.port)
            await eventually(lambda: api.status()["connections"] == 3, what="the stalled client")
            sent += await publish_bulky_ticks(client, channel)
            await eventually(
                lambda: all(len(r.ticks()) == sent for r in readers),
                timeout_s=60,
                what="every tick with a stalled client",
            )
            status = api.status()
        stalled.close()
    await client.aclose()
    assert baseline_status["drops"] == 0  # nobody was behind before the stalled client came…
    assert status["drops"] > 0  # …whose frames were then dropped…
    for recorder, mark in zip(readers, marks, strict=True):  # …while the readers kept up
        baseline = p90(newest_tick_delays(recorder.frames[:mark]))
        stalled_p90 = p90(newest_tick_delays(recorder.frames[mark:]))
        # floored at five publish intervals: a quiet run's baseline is a few milliseconds
        bound = STALLED_DELAY_FACTOR * max(baseline, 5 * PUBLISH_INTERVAL_S)
        print(
            f"\nreader p90 delay {stalled_p90 * 1000:.0f} ms beside a stalled client, "
            f"{baseline * 1000:.0f} ms without one (bound {bound * 1000:.0f} ms)"
        )
        assert stalled_p90 <= bound


async def test_several_workers_each_subscribe_and_deliver(
    redis_url: str, redis_namespace: str
) -> None:
    client = aioredis.Redis.from_url(redis_url)
    channel = f"{redis_namespace}:prices"
    async with api_server(redis_url, redis_namespace, workers=2) as api:

        async def both_subscribed() -> bool:
            counts = dict(await client.pubsub_numsub(channel))
            return counts.get(channel.encode(), 0) == 2

        await eventually(both_subscribed, timeout_s=30, what="one subscription per worker")
        recorders = [Recorder(api.ws_url) for _ in range(8)]
        async with contextlib.AsyncExitStack() as stack:
            for recorder in recorders:
                await stack.enter_async_context(recorder)
            await eventually(lambda: all(r.frames for r in recorders), what="snapshots")
            for i in range(5):
                await client.publish(channel, tick_json("bitcoin", 100.0 + i))
            await eventually(
                lambda: all(len(r.ticks()) == 5 for r in recorders), what="5 ticks per client"
            )
    await client.aclose()
    for recorder in recorders:
        assert [tick["price_usd"] for tick in recorder.ticks()] == [100, 101, 102, 103, 104]


async def test_api_and_consumer_survive_a_redis_restart(tmp_path, redis_namespace: str) -> None:
    """Redis goes away and comes back on the same port: ticks resume, nothing was restarted."""
    redis_server = EmbeddedRedis(tmp_path / "redis", port=free_port())
    redis_url = redis_server.start()
    try:
        async with (
            simulator_stream(StreamConfig(tick_interval_s=0.05)) as stream_url,
            api_server(redis_url, redis_namespace) as api,
            running_consumer(stream_url, redis_url, redis_namespace) as consumer,
            Recorder(api.ws_url) as recorder,
        ):
            await eventually(lambda: len(recorder.ticks()) >= 6, what="ticks before the restart")
            redis_server.stop()
            await eventually(lambda: not consumer.redis_up, what="consumer notices")
            await eventually(lambda: not api.status()["redis_connected"], what="API notices")
            redis_server.start()
            later = datetime.now(UTC) + timedelta(milliseconds=100)
            await eventually(lambda: consumer.redis_up, what="consumer recovers")
            await eventually(lambda: api.status()["redis_connected"], what="API recovers")
            await eventually(
                lambda: max(ts_of(tick) for tick in recorder.ticks()) > later,
                what="ticks made after the restart reach the client",
            )
            status = api.status()
    finally:
        redis_server.stop()
    assert consumer.stats.redis_errors >= 1
    assert status["connections"] == 1  # the browser's socket stayed open throughout
