"""How frames reach clients (live.wire): straight to the transport under uvicorn's default
protocol, with or without permessage-deflate, through ASGI `send` under another; a client that
falls behind is skipped, never waited for, and gets a snapshot once it drains."""

from __future__ import annotations

import asyncio
import contextlib

import orjson
import redis.asyncio as aioredis
import websockets

from tests.streaming.live_support import ApiServer, Recorder, eventually, tick_json


async def _publish_rounds(client: aioredis.Redis, channel: str, rounds: int) -> None:
    for i in range(rounds):
        await client.publish(channel, tick_json("bitcoin", 100.0 + i))
        await client.publish(channel, tick_json("ethereum", 10.0 + i))


async def _same_ticks_at_every_client(
    api: ApiServer, redis_url: str, recorders: list[Recorder]
) -> None:
    client = aioredis.Redis.from_url(redis_url)
    await eventually(lambda: all(r.frames for r in recorders), what="snapshots")
    await _publish_rounds(client, f"{api.namespace}:prices", 20)
    await client.aclose()
    await eventually(lambda: all(len(r.ticks()) == 40 for r in recorders), what="40 ticks each")
    expected = [(t["coin_id"], t["price_usd"]) for t in recorders[0].ticks()]
    assert expected[-2:] == [("bitcoin", 119.0), ("ethereum", 29.0)]
    for recorder in recorders:
        assert recorder.frames[0][1]["type"] == "snapshot"
        assert [(t["coin_id"], t["price_usd"]) for t in recorder.ticks()] == expected


async def test_default_server_writes_to_the_transport_with_and_without_deflate(
    redis_url: str, redis_namespace: str
) -> None:
    """uvicorn offers permessage-deflate unless told not to: one client takes it, one does not."""
    api = await ApiServer(redis_url, redis_namespace).start()
    try:
        plain, deflated = Recorder(api.ws_url, compression=None), Recorder(api.ws_url)
        async with plain, deflated:
            assert plain.extensions() == [] and deflated.extensions() == ["permessage-deflate"]
            await _same_ticks_at_every_client(api, redis_url, [plain, deflated])
            status = api.status()
    finally:
        api.stop()
    assert status["connections"] == status["transport_connections"] == 2
    assert status["drops"] == 0


async def test_another_server_gets_frames_through_asgi_send(
    redis_url: str, redis_namespace: str
) -> None:
    api = await ApiServer(redis_url, redis_namespace, extra_args=["--ws", "websockets"]).start()
    try:
        async with Recorder(api.ws_url) as first, Recorder(api.ws_url) as second:
            await _same_ticks_at_every_client(api, redis_url, [first, second])
            status = api.status()
    finally:
        api.stop()
    assert status["connections"] == 2 and status["transport_connections"] == 0


async def test_a_client_behind_is_skipped_then_gets_a_snapshot_of_the_newest_prices(
    redis_url: str, redis_namespace: str
) -> None:
    """Its socket stops draining (it reads nothing): frames are dropped, not queued without
    bound; once it reads again its next frame is a snapshot, so no stale price survives."""
    client = aioredis.Redis.from_url(redis_url)
    channel = f"{redis_namespace}:prices"
    padding = "x" * 200
    env = {"CRYPTOFLOW_WS_CLIENT_BUFFER_KB": "16"}
    api = await ApiServer(redis_url, redis_namespace, extra_env=env).start()
    try:
        # max_queue=1: the client stops reading its socket after one unread frame.
        socket = await websockets.connect(api.ws_url, max_queue=1, max_size=2**24, compression=None)
        price = 0.0

        async def fall_behind() -> bool:
            nonlocal price
            price += 1.0
            batch = [orjson.loads(tick_json(f"coin-{i}-{padding}", price)) for i in range(100)]
            await client.publish(channel, orjson.dumps(batch))
            return bool(api.status()["drops"])

        await eventually(fall_behind, timeout_s=30, what="the silent client's frames dropped")
        frames: list[dict] = []

        async def read() -> None:
            async for raw in socket:
                frames.append(orjson.loads(raw))

        reader = asyncio.create_task(read())

        async def snapshot_after_drain() -> bool:
            await client.publish(channel, tick_json("bitcoin", 42.0))  # a fan-out to take part in
            return any(f["type"] == "snapshot" for f in frames[1:])

        await eventually(snapshot_after_drain, what="a snapshot once it drained")
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        await socket.close()
        status = api.status()
    finally:
        api.stop()
        await client.aclose()
    late = next(f for f in frames[1:] if f["type"] == "snapshot")
    prices = {tick["coin_id"]: tick["price_usd"] for tick in late["data"]}
    assert prices.pop("bitcoin") == 42.0
    assert len(prices) == 100 and set(prices.values()) == {price}
    assert status["drops"] > 0 and status["connections"] == 0
