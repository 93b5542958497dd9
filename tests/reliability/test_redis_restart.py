"""Redis restarts under the whole API: WebSocket clients keep their socket and get every tick
again, REST (login included) answers throughout. (The streaming suite restarts Redis under the
live-price app alone, with the real consumer.)"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import orjson
import pytest
import redis.asyncio as aioredis
import websockets

from cryptoflow.services import EmbeddedRedis
from support.httpload import Answer, hammer
from tests.reliability.servers import ApiProcess
from tests.streaming.live_support import eventually

CLIENTS = 100
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


@dataclass
class Publisher:
    """A stand-in for the consumer: a tick every 20 ms with a rising price, across the outage."""

    url: str
    channel: str
    published: list[tuple[float, float]] = field(default_factory=list)  # (monotonic, price)

    async def run(self, until: asyncio.Event) -> None:
        client = aioredis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=0.5)
        price = 100.0
        try:
            while not until.is_set():
                price += 1
                tick = {"coin_id": "bitcoin", "symbol": "btc", "price_usd": price}
                tick["ts"] = datetime.now(UTC).isoformat()
                with contextlib.suppress(aioredis.RedisError, OSError):
                    await client.publish(self.channel, orjson.dumps(tick))
                    self.published.append((time.monotonic(), price))
                await asyncio.sleep(0.02)
        finally:
            await client.aclose()


@dataclass
class Browser:
    """One WebSocket client: every tick price it got, when, and whether its socket closed."""

    url: str
    arrivals: list[tuple[float, float]] = field(default_factory=list)  # (monotonic, price)
    closed: str | None = None

    async def run(self) -> None:
        async with websockets.connect(self.url) as socket:
            try:
                async for raw in socket:
                    frame = orjson.loads(raw)
                    if frame["type"] == "ticks":
                        now = time.monotonic()
                        self.arrivals.extend((now, tick["price_usd"]) for tick in frame["data"])
            except websockets.ConnectionClosed as exc:
                self.closed = repr(exc)


async def test_redis_restart_keeps_sockets_open_ticks_resume_and_rest_answers(
    api: ApiProcess, own_redis: EmbeddedRedis, redis_namespace: str
) -> None:
    assert httpx.post(f"{api.base_url}/api/v1/auth/register", json=ACCOUNT).status_code == 201
    token = httpx.post(f"{api.base_url}/api/v1/auth/login", json=ACCOUNT).json()["access_token"]

    def status() -> dict:
        return httpx.get(f"{api.base_url}/api/v1/ws/status", timeout=5).json()

    done = asyncio.Event()
    answers: list[Answer] = []
    publisher = Publisher(own_redis.url, f"{redis_namespace}:prices")
    browsers = [Browser(f"ws://127.0.0.1:{api.port}/api/v1/ws/prices") for _ in range(CLIENTS)]
    rest = hammer(
        api.base_url,
        REST_PATHS,
        connections=3,
        until=done,
        answers=answers,
        headers={"Authorization": f"Bearer {token}"},
        pause_s=0.02,
    )
    tasks = [
        asyncio.create_task(rest),
        asyncio.create_task(publisher.run(done)),
        *(asyncio.create_task(browser.run()) for browser in browsers),
    ]
    await eventually(lambda: all(len(b.arrivals) >= 5 for b in browsers), what="ticks everywhere")

    stopping = time.monotonic()
    await asyncio.to_thread(own_redis.stop)
    await eventually(lambda: not status()["redis_connected"], timeout_s=15, what="API notices")
    login_while_down = httpx.post(f"{api.base_url}/api/v1/auth/login", json=ACCOUNT)
    await asyncio.sleep(1.0)  # stay down a while
    await asyncio.to_thread(own_redis.start)
    back = time.monotonic()
    await eventually(lambda: status()["redis_connected"], timeout_s=15, what="API resubscribes")
    resubscribed = time.monotonic()
    await eventually(
        lambda: sum(at > resubscribed for at, _ in publisher.published) >= 25,
        what="ticks published after the resubscription",
    )
    done.set()
    await asyncio.gather(*tasks[:2])
    after = {price for at, price in publisher.published if at > resubscribed}
    await eventually(
        lambda: all(after <= {price for _, price in b.arrivals} for b in browsers),
        what="every tick published after the restart at every client",
    )
    sockets = status()["connections"]
    for task in tasks[2:]:
        task.cancel()
    await asyncio.gather(*tasks[2:], return_exceptions=True)

    assert [b.closed for b in browsers if b.closed] == [] and sockets == CLIENTS
    during = [a for a in answers if stopping <= a.at <= back]
    assert during, "no REST request ran during the outage"
    assert all(a.ok for a in answers), [a for a in answers if not a.ok][:3]
    assert login_while_down.status_code == 200, login_while_down.text
    resumed = max(min(at for at, price in b.arrivals if at > back) for b in browsers) - back
    print(
        f"\nRedis restart: down {back - stopping:.1f} s, API resubscribed "
        f"{resubscribed - back:.2f} s after it was back; {CLIENTS} WebSocket clients kept their "
        f"sockets, all had ticks again within {resumed:.2f} s, 0 of {len(after)} ticks published "
        f"after the resubscription lost; {len(during)} REST answers during the outage, all 200 "
        f"(login too)"
    )
