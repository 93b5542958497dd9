"""How a frame reaches a client: encoded once, written straight to every client's transport.

Fan-out cost is paid per client, so the per-client step is kept to one `transport.write`. Under
uvicorn's sans-I/O WebSocket protocol (its default, and how the API is run) a text frame is
serialized once, unmasked as servers send it, and the same bytes go to every connection that
negotiated no extension; a connection with permessage-deflate compresses through its own
protocol state. Either way there is no await, no task and no ASGI layer per client and frame.
Any other ASGI server gets the portable path: a task per client draining a bounded queue
through ASGI `send` (tested under uvicorn's `--ws websockets`).

Nothing ever waits for a slow client: once its unsent bytes pass `limit_bytes` a frame is not
taken (`write` returns False) and the hub marks the client behind (live.hub).
`ServerConnections` records the server's own `send` in the scope, before any middleware wraps
it, so the route can tell which path a connection takes.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame as WireFrame
from websockets.frames import Opcode
from websockets.protocol import State

SERVER_SEND = "cryptoflow.server_send"


class Frame:
    """One outgoing text frame: its JSON text, and its wire bytes built once on first use."""

    __slots__ = ("_wire", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._wire: bytes | None = None

    @property
    def wire(self) -> bytes:
        if self._wire is None:
            self._wire = WireFrame(Opcode.TEXT, self.text.encode()).serialize(mask=False)
        return self._wire


class TransportOutlet:
    """A connection of uvicorn's sans-I/O protocol: frames go straight to its transport."""

    def __init__(self, protocol: WebSocketsSansIOProtocol, *, limit_bytes: int) -> None:
        self._protocol = protocol
        self._limit = limit_bytes

    def write(self, frame: Frame) -> bool:
        transport, conn = self._protocol.transport, self._protocol.conn
        if conn.state is not State.OPEN or transport.is_closing():
            return True  # closing: its route is about to remove it, nothing is behind
        if transport.get_write_buffer_size() > self._limit:
            return False
        if conn.extensions:
            conn.send_text(frame.text.encode())
            transport.write(b"".join(conn.data_to_send()))
        else:
            transport.write(frame.wire)
        return True

    async def pump(self) -> None:
        """Nothing to pump: writes happen in `write`."""


class AsgiOutlet:
    """Any other ASGI server: a bounded queue drained by one task through ASGI `send`."""

    def __init__(self, send_text: Callable[[str], Awaitable[None]], *, limit_bytes: int) -> None:
        self._send_text = send_text
        self._limit = limit_bytes
        self._queue: deque[Frame] = deque()
        self._queued_bytes = 0
        self._ready = asyncio.Event()

    def write(self, frame: Frame) -> bool:
        if self._queued_bytes > self._limit:
            return False
        self._queue.append(frame)
        self._queued_bytes += len(frame.text)
        self._ready.set()
        return True

    async def pump(self) -> None:
        while True:
            await self._ready.wait()
            while self._queue:
                frame = self._queue.popleft()
                self._queued_bytes -= len(frame.text)
                await self._send_text(frame.text)
            self._ready.clear()


Outlet = TransportOutlet | AsgiOutlet


def outlet_for(
    scope: Scope, send_text: Callable[[str], Awaitable[None]], *, limit_bytes: int
) -> Outlet:
    """The fastest outlet this connection's server allows."""
    server_send: Any = scope.get(SERVER_SEND)
    protocol = getattr(server_send, "__self__", None)
    if isinstance(protocol, WebSocketsSansIOProtocol):
        return TransportOutlet(protocol, limit_bytes=limit_bytes)
    return AsgiOutlet(send_text, limit_bytes=limit_bytes)


class ServerConnections:
    """ASGI middleware: keeps the server's own `send` of each WebSocket in its scope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SERVER_SEND] = send
        await self.app(scope, receive, send)
