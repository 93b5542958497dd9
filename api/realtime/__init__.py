"""Live prices for the API: one Redis listener per process fanned out to every WebSocket.

`main.py` includes `router` under `/api/v1` and enters `live_prices(app, settings)` in its
lifespan. The API meets the streaming consumer only through Redis and `cryptoflow.ticks.Tick`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from api.realtime.hub import PriceHub
from api.realtime.listener import RedisPriceListener
from api.realtime.router import router
from cryptoflow.settings import Settings

__all__ = ["PriceHub", "live_prices", "router"]


@contextlib.asynccontextmanager
async def live_prices(app: FastAPI, settings: Settings) -> AsyncIterator[PriceHub]:
    """Run this process's hub and Redis listener for the app's lifetime (`app.state.price_hub`)."""
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set: live prices need Redis (`cryptoflow up` sets it)")
    hub = PriceHub(
        queue_size=settings.ws_queue_size,
        coalesce_s=settings.ws_coalesce_ms / 1000,
        heartbeat_s=settings.ws_heartbeat_s,
    )
    listener = RedisPriceListener(
        hub,
        url=settings.redis_url,
        channel=settings.prices_channel,
        latest_key=settings.latest_prices_key,
    )
    app.state.price_hub = hub
    tasks = [asyncio.create_task(hub.run()), asyncio.create_task(listener.run())]
    try:
        yield hub
    finally:
        # redis-py can swallow a cancellation that lands inside one of its read timeouts
        # (seen on Python 3.11 when the app stops right after starting): cancel until done.
        while pending := [task for task in tasks if not task.done()]:
            for task in pending:
                task.cancel()
            await asyncio.wait(pending, timeout=0.5)
        await asyncio.gather(*tasks, return_exceptions=True)
