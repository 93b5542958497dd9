"""Redis restarts under the whole API: WebSocket clients keep their socket and get ticks again,
REST answers throughout. (The streaming suite restarts Redis under the live-price app alone.)"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import orjson
import pytest
import redis.asyncio as aioredis
import websockets

from cryptoflow.services import EmbeddedRedis
from tests.reliability.load import Answer, hammer
from tests.reliability.servers import ApiProcess
from tests.streaming.live_support import eventually

REST_PATHS = ("/api/v1/auth/me", "/api/v1/pipeline/runs", "/healthz")
ACCOUNT = {"email": "ops@example.com", "password": "correct-horse"}


@pytest.fixture
def api(database_url: str, own_redis: EmbeddedRedis, redis_namespace: str) -> Iterator[ApiProcess]:
    server = ApiProcess(
        env={
            "DATABASE_URL": database_url,
            "REDIS_URL": own_redis.url,
            "CRYPTOFLOW_REDIS_NAMESPACE": redis_namespace,
        }
    ).start()
    try:
        yield server
    finally:
        server.stop()


async def publish_ticks(url: str, channel: str, *, until: asyncio.Event) -> None:
    """A stand-in for the consumer: one tick every 20 ms, stamped now, across the outage."""
    client = aioredis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    price = 100.0
    try:
        while not until.is_set():
            price += 1
            tick = {
                "coin_id": "bitcoin",
                "symbol": "btc",
                "price_usd": price,
                "ts": datetime.now(UTC).isoformat(),
            }
            with contextlib.suppress(aioredis.RedisError, OSError):
                await client.publish(channel, orjson.dumps(tick))
            await asyncio.sleep(0.02)
    finally:
        await client.aclose()


async def read_ticks(url: str, arrivals: list[tuple[float, datetime]], closed: list[str]) -> None:
    async with websockets.connect(url) as socket:
        try:
            async for raw in socket:
                frame = orjson.loads(raw)
                if frame["type"] == "ticks":
                    for tick in frame["data"]:
                        arrivals.append((time.monotonic(), datetime.fromisoformat(tick["ts"])))
        except websockets.ConnectionClosed as exc:
            closed.append(repr(exc))


async def test_redis_restart_keeps_sockets_open_ticks_resume_and_rest_answers(
    api: ApiProcess, own_redis: EmbeddedRedis, redis_namespace: str
) -> None:
    assert httpx.post(f"{api.base_url}/api/v1/auth/register", json=ACCOUNT).status_code == 201
    token = httpx.post(f"{api.base_url}/api/v1/auth/login", json=ACCOUNT).json()["access_token"]
    ws_url = f"ws://127.0.0.1:{api.port}/api/v1/ws/prices"

    def status() -> dict:
        return httpx.get(f"{api.base_url}/api/v1/ws/status", timeout=5).json()

    done = asyncio.Event()
    arrivals: list[tuple[float, datetime]] = []
    closed: list[str] = []
    answers: list[Answer] = []
    rest = asyncio.create_task(
        hammer(
            api.base_url,
            REST_PATHS,
            connections=3,
            until=done,
            answers=answers,
            headers={"Authorization": f"Bearer {token}"},
            pause_s=0.02,
        )
    )
    publisher = asyncio.create_task(
        publish_ticks(own_redis.url, f"{redis_namespace}:prices", until=done)
    )
    reader = asyncio.create_task(read_ticks(ws_url, arrivals, closed))
    await eventually(lambda: len(arrivals) >= 10, what="ticks before the outage")

    stopping = time.monotonic()
    await asyncio.to_thread(own_redis.stop)
    await eventually(lambda: not status()["redis_connected"], timeout_s=15, what="API notices")
    login_while_down = httpx.post(f"{api.base_url}/api/v1/auth/login", json=ACCOUNT)
    await asyncio.sleep(1.0)
    await asyncio.to_thread(own_redis.start)
    back = time.monotonic()
    back_at = datetime.now(UTC)
    await eventually(
        lambda: any(made > back_at for _, made in arrivals),
        timeout_s=15,
        what="ticks published after the restart reach the client",
    )
    resumed = min(at for at, made in arrivals if made > back_at)
    sockets = status()["connections"]
    done.set()
    await rest
    await publisher
    reader.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await reader

    assert closed == [] and sockets == 1  # the browser's socket stayed open throughout
    during = [a for a in answers if stopping <= a.at <= back]
    assert during, "no REST request ran during the outage"
    assert all(a.ok for a in answers), [a for a in answers if not a.ok][:3]
    assert login_while_down.status_code == 200, login_while_down.text
    print(
        f"\nRedis restart: down {back - stopping:.1f} s; {len(during)} REST answers during it, "
        f"all 200 (login too); WebSocket kept open, ticks resumed {resumed - back:.2f} s "
        f"after Redis was back"
    )
