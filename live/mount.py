"""What the API mounts: one Redis listener per process fanned out to every WebSocket.

`api/main.py` includes `router` under `/api/v1`, adds the `ServerConnections` middleware (without
it every client takes the portable, slower path: live.wire) and enters
`live_prices(app, settings)` in its lifespan. This side meets the consumer only through Redis
and `cryptoflow.ticks.Tick`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from cryptoflow.aio import cancel_and_wait
from cryptoflow.settings import Settings
from live.hub import PriceHub
from live.listener import EventRelay, RedisPriceListener
from live.router import router
from live.wire import ServerConnections

__all__ = ["PriceHub", "ServerConnections", "live_prices", "router"]

SHUTDOWN_S = 2.0  # the hub and the Redis listener stop within this, whatever Redis is doing


@contextlib.asynccontextmanager
async def live_prices(
    app: FastAPI, settings: Settings, *, relay_event: EventRelay | None = None
) -> AsyncIterator[PriceHub]:
    """Run this process's hub and Redis listener for the app's lifetime (`app.state.price_hub`);
    platform events go through `relay_event` to every client."""
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set: live prices need Redis (`cryptoflow up` sets it)")
    hub = PriceHub(
        coalesce_s=settings.ws_coalesce_ms / 1000,
        heartbeat_s=settings.ws_heartbeat_s,
        client_buffer_bytes=settings.ws_client_buffer_kb * 1024,
    )
    listener = RedisPriceListener(
        hub,
        url=settings.redis_url,
        channel=settings.prices_channel,
        latest_key=settings.latest_prices_key,
        events_channel=settings.events_channel,
        relay_event=relay_event,
    )
    app.state.price_hub = hub
    tasks = [asyncio.create_task(hub.run()), asyncio.create_task(listener.run())]
    try:
        yield hub
    finally:
        await cancel_and_wait(tasks, timeout_s=SHUTDOWN_S)
