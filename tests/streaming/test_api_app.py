"""The live prices inside the real API app (`api.main`): router and lifespan wired together."""

from __future__ import annotations

import httpx
import redis.asyncio as aioredis

from api.main import create_app
from cryptoflow.settings import Settings
from tests.streaming.live_support import Recorder, eventually, serve_in_process, tick_json


async def test_api_app_streams_ticks_and_reports_status(
    database_url: str, redis_url: str, redis_namespace: str
) -> None:
    settings = Settings(
        database_url=database_url, redis_url=redis_url, redis_namespace=redis_namespace
    )
    publisher = aioredis.Redis.from_url(redis_url)
    async with serve_in_process(create_app(settings), lifespan="on") as port:
        base = f"127.0.0.1:{port}/api/v1/ws"
        async with httpx.AsyncClient() as http:

            async def redis_connected() -> bool:
                response = await http.get(f"http://{base}/status")
                return response.status_code == 200 and response.json()["redis_connected"]

            await eventually(redis_connected, what="listener subscribed")
            async with Recorder(f"ws://{base}/prices") as recorder:
                await eventually(lambda: len(recorder.frames) == 1, what="snapshot")
                await publisher.publish(f"{redis_namespace}:prices", tick_json("bitcoin", 64000.5))
                await eventually(lambda: len(recorder.ticks()) == 1, what="the tick")
                status = (await http.get(f"http://{base}/status")).json()
    await publisher.aclose()
    assert recorder.frames[0][1] == {"type": "snapshot", "data": []}
    assert recorder.ticks()[0]["price_usd"] == 64000.5
    assert status["connections"] == 1 and status["messages_sent"] == 2
