"""Helpers of the live-price tests: real servers on free ports, WebSocket clients that record."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import httpx
import orjson
import redis.asyncio as aioredis
import uvicorn
import websockets

from cryptoflow.aio import cancel_and_wait
from cryptoflow.services import free_port, stop_process
from cryptoflow.simulator.server import SimConfig, create_app
from cryptoflow.simulator.stream import StreamConfig

HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
SEED = 7


async def eventually(
    predicate: Callable[[], bool | Awaitable[bool]],
    *,
    timeout_s: float = 10.0,
    what: str = "condition",
) -> None:
    """Poll `predicate` (sync or async) until true; fail with `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not await _truth(predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        await asyncio.sleep(0.02)


async def _truth(value: bool | Awaitable[bool]) -> bool:
    return bool(await value) if inspect.isawaitable(value) else bool(value)


@contextlib.asynccontextmanager
async def serve_in_process(
    app: Any, *, lifespan: Literal["auto", "on", "off"] = "off"
) -> AsyncIterator[int]:
    """Run `app` under uvicorn in this event loop on a free port; yield the port."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan=lifespan,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started, what="uvicorn start")
    try:
        yield port
    finally:
        server.should_exit = True
        assert not await cancel_and_wait_after(task, grace_s=5), "uvicorn did not stop"


async def cancel_and_wait_after(task: asyncio.Task[Any], *, grace_s: float) -> set[Any]:
    """Let `task` finish on its own for `grace_s`, then cancel it (bounded as well)."""
    await asyncio.wait([task], timeout=grace_s)
    return await cancel_and_wait([task], timeout_s=2)


@contextlib.asynccontextmanager
async def simulator_stream(config: StreamConfig | None = None) -> AsyncIterator[str]:
    """The simulator's server (seed `SEED`) on a free port; yields its `/ws/prices` URL."""
    app = create_app(SimConfig(seed=SEED, stream=config or StreamConfig()))
    async with serve_in_process(app) as port:
        yield f"ws://127.0.0.1:{port}/ws/prices"


@dataclass
class ApiServer:
    """`tests/streaming/live_app.py` under real uvicorn (optionally several workers)."""

    redis_url: str
    namespace: str
    workers: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    extra_args: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/v1/ws/prices"

    def status(self) -> dict[str, Any]:
        response = httpx.get(f"http://127.0.0.1:{self.port}/api/v1/ws/status", timeout=5)
        response.raise_for_status()
        return dict(response.json())

    def _answers(self) -> bool:
        try:
            return bool(self.status()["redis_connected"])
        except httpx.HTTPError:
            return False

    async def start(self) -> ApiServer:
        env = {
            **os.environ,
            "REDIS_URL": self.redis_url,
            "CRYPTOFLOW_REDIS_NAMESPACE": self.namespace,
            **self.extra_env,
        }
        args = [
            str(VENV_BIN / "uvicorn"), "live_app:app", "--app-dir", str(HERE),
            "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers),
            "--log-level", "warning", "--no-access-log", *self.extra_args,
        ]  # fmt: skip
        self.process = subprocess.Popen(args, env=env, start_new_session=True)
        await eventually(self._answers, timeout_s=30, what="API server ready")
        return self

    def stop(self) -> None:
        if self.process:
            stop_process(self.process)


class Recorder:
    """A WebSocket client that reads everything and stamps each frame's arrival."""

    def __init__(self, url: str, *, compression: str | None = "deflate") -> None:
        self.url = url
        self.compression = compression
        self.frames: list[tuple[float, dict[str, Any]]] = []
        self._socket: websockets.ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Recorder:
        self._socket = await websockets.connect(
            self.url, max_size=2**24, compression=self.compression
        )
        self._task = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None and self._socket is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
            await self._task  # the server may have closed the socket first
        await self._socket.close()

    async def _read(self) -> None:
        assert self._socket is not None
        async for raw in self._socket:
            self.frames.append((time.time(), orjson.loads(raw)))

    async def send(self, message: object) -> None:
        assert self._socket is not None
        await self._socket.send(orjson.dumps(message).decode())

    def extensions(self) -> list[str]:
        """The extensions the server accepted (permessage-deflate unless compression=None)."""
        assert self._socket is not None
        return [str(extension.name) for extension in self._socket.protocol.extensions]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [frame for _, frame in self.frames if frame["type"] == kind]

    def ticks(self) -> list[dict[str, Any]]:
        return [tick for frame in self.of_type("ticks") for tick in frame["data"]]


def tick_json(coin_id: str, price: float, *, ts: datetime | None = None) -> bytes:
    moment = ts or datetime.now(UTC)
    return orjson.dumps(
        {"coin_id": coin_id, "symbol": coin_id[:4], "price_usd": price, "ts": moment.isoformat()}
    )


@dataclass
class FanoutResult:
    clients: int
    ticks_published: int
    latencies_s: list[float]
    complete_clients: int  # clients that received every tick
    in_order_clients: int  # clients that received the ticks in the order they were published

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_s)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure_fanout(
    api: ApiServer, redis_url: str, *, clients: int, ticks_per_s: float, seconds: float
) -> FanoutResult:
    """Publish→client latency: ticks stamped at PUBLISH time, timed on arrival at every client."""
    publisher = aioredis.Redis.from_url(redis_url)
    channel = f"{api.namespace}:prices"
    async with contextlib.AsyncExitStack() as stack:
        recorders = [await stack.enter_async_context(Recorder(api.ws_url)) for _ in range(clients)]
        await eventually(lambda: all(r.frames for r in recorders), what="every snapshot")
        count = int(ticks_per_s * seconds)
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i in range(count):
            await asyncio.sleep(max(0.0, start + i / ticks_per_s - loop.time()))
            await publisher.publish(channel, tick_json(f"coin-{i % 50}", 1.0 + i))
        await eventually(
            lambda: all(len(r.ticks()) >= count for r in recorders),
            timeout_s=30,
            what="every tick at every client",
        )
    await publisher.aclose()
    latencies = [
        at - datetime.fromisoformat(tick["ts"]).timestamp()
        for recorder in recorders
        for at, frame in recorder.frames
        if frame["type"] == "ticks"
        for tick in frame["data"]
    ]
    complete = sum(len(r.ticks()) == count for r in recorders)
    published = [1.0 + i for i in range(count)]  # each tick's price is its publish index + 1
    in_order = sum([tick["price_usd"] for tick in r.ticks()] == published for r in recorders)
    return FanoutResult(clients, count, latencies, complete, in_order)
