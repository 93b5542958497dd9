"""`/ws/prices` (live ticks for browsers and integrators) and `/ws/status` (fan-out statistics).

A client may send `{"action": "subscribe", "coins": ["bitcoin", ...]}` to receive only those
coins (`"coins": null` for all again); the answer is a fresh snapshot of that selection. Anything
else gets an `{"type": "error", ...}` frame and the socket stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import orjson
from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect

from live.hub import PriceHub, Subscriber
from live.schemas import WsStatus
from live.wire import Frame, outlet_for

router = APIRouter(prefix="/ws", tags=["live prices"])

MAX_FILTER_COINS = 250


def _hub(app: Any) -> PriceHub:
    hub: PriceHub = app.state.price_hub
    return hub


def _parse_filter(text: str | bytes) -> list[str] | None:
    """The coins of a subscribe message (None = all); ValueError with a message otherwise."""
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise ValueError("messages must be JSON") from None
    if not isinstance(message, dict) or message.get("action") != "subscribe":
        raise ValueError('expected {"action": "subscribe", "coins": [...]}')
    coins = message.get("coins")
    if coins is None:
        return None
    if not isinstance(coins, list) or not all(isinstance(coin, str) for coin in coins):
        raise ValueError('"coins" must be a list of coin ids, or null for all coins')
    if len(coins) > MAX_FILTER_COINS:
        raise ValueError(f"at most {MAX_FILTER_COINS} coins per subscription")
    return coins


async def _read_requests(websocket: WebSocket, hub: PriceHub, subscriber: Subscriber) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        try:
            coins = _parse_filter(message.get("text") or message.get("bytes") or b"")
        except ValueError as exc:
            hub.offer(
                subscriber, Frame(orjson.dumps({"type": "error", "message": str(exc)}).decode())
            )
            continue
        hub.set_filter(subscriber, coins)


@router.websocket("/prices")
async def stream_prices(websocket: WebSocket) -> None:
    """Snapshot first, then coalesced tick frames and heartbeats until the client leaves."""
    hub = _hub(websocket.app)
    await websocket.accept()
    outlet = outlet_for(websocket.scope, websocket.send_text, limit_bytes=hub.client_buffer_bytes)
    subscriber = hub.add_subscriber(outlet)
    try:
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(outlet.pump())
            tasks.create_task(_read_requests(websocket, hub, subscriber))
    except* (WebSocketDisconnect, RuntimeError, OSError):
        pass  # the client left; its reader (and pump) are done
    finally:
        hub.remove_subscriber(subscriber)
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            await websocket.close()


@router.get("/status", response_model=WsStatus)
async def read_ws_status(request: Request) -> WsStatus:
    return WsStatus(**_hub(request.app).status())
