"""SIGTERM stops `cryptoflow consume` and the API promptly and cleanly, whatever state they are in.

Each test brings a real process into one state (streaming, Redis refusing connections, Redis
accepting and never answering, feed refusing, feed handshake hanging, WebSocket clients being
served), sends SIGTERM and times the exit. Promptly means within the shutdown budget the process
sets itself, plus what starting and stopping an interpreter costs on this machine right now:
measured in the same test as the time the same process took to get into its state. A wait it
failed to interrupt (a Redis read, a handshake, a client that never reads) would show as more.
A process still running `HANG_S` after SIGTERM is killed and the test fails, so no state can
hang the suite either.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis
import redis.asyncio as aioredis

from cryptoflow.services import free_port
from cryptoflow.simulator.stream import StreamConfig
from cryptoflow_cli.up import api_command
from live.consumer import SHUTDOWN_S as CONSUMER_SHUTDOWN_S
from live.mount import SHUTDOWN_S as HUB_SHUTDOWN_S
from tests.streaming.live_support import VENV_BIN, Recorder, eventually, simulator_stream, tick_json

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HANG_S = 60.0  # bound of the wait for the exit: it only keeps a hung process from hanging the suite
# The exit may take its own budget plus this many times the start-up the same test measured.
STARTUP_FACTOR = 2


@dataclass
class Child:
    """A child process whose merged stdout/stderr is collected line by line as it runs."""

    process: subprocess.Popen[str]
    name: str
    lines: list[str] = field(default_factory=list)
    spawned: float = field(default_factory=time.monotonic)
    startup_s: float | None = None  # spawn → SIGTERM: how long it took to get into its state

    @classmethod
    def start(cls, args: list[str], env: dict[str, str]) -> Child:
        process = subprocess.Popen(
            args,
            env={**os.environ, **env},
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        child = cls(process, Path(args[0]).name)
        threading.Thread(target=child._collect, daemon=True).start()
        return child

    def _collect(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def said(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def sigterm_exit_s(self) -> float:
        """Seconds from SIGTERM to exit; kills the process group and fails after `HANG_S`."""
        assert self.process.poll() is None, "\n".join(self.lines[-20:])
        start = time.monotonic()
        self.startup_s = start - self.spawned
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(HANG_S)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"still running {HANG_S} s after SIGTERM")
        exit_s = time.monotonic() - start
        print(f"{self.name}: exited {exit_s:.2f} s after SIGTERM (start-up {self.startup_s:.2f} s)")
        return exit_s

    def assert_prompt(self, exit_s: float, budget_s: float) -> None:
        """The exit took the process's own shutdown budget at most, plus interpreter costs
        scaled from this run's start-up of the same process (not a fixed wall-clock bound)."""
        assert self.startup_s is not None
        bound = budget_s + STARTUP_FACTOR * self.startup_s
        assert exit_s < bound, (exit_s, bound, self.lines[-10:])

    def kill(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@contextlib.contextmanager
def child_process(args: list[str], env: dict[str, str]) -> Iterator[Child]:
    child = Child.start(args, env)
    try:
        yield child
    finally:
        child.kill()


@dataclass
class SilentServer:
    """Accepts TCP connections and never answers: a hung Redis or a feed stuck in its handshake."""

    port: int = 0
    accepted: int = 0
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def _hold(self, _reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self._writers.append(writer)


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[SilentServer]:
    silent = SilentServer()
    server = await asyncio.start_server(silent._hold, "127.0.0.1", 0)
    silent.port = server.sockets[0].getsockname()[1]
    try:
        yield silent
    finally:
        for writer in silent._writers:
            writer.transport.abort()
        server.close()


def refused_port() -> int:
    """A port nothing listens on (free a moment ago)."""
    return free_port()


def consume_env(redis_url: str, namespace: str, stream_url: str) -> dict[str, str]:
    return {
        "REDIS_URL": redis_url,
        "CRYPTOFLOW_REDIS_NAMESPACE": namespace,
        "PRICE_STREAM_URL": stream_url,
        "DATABASE_URL": "",
        "CRYPTOFLOW_LOG_LEVEL": "info",
    }


CONSUME = [str(VENV_BIN / "cryptoflow"), "consume"]


async def test_consume_exits_promptly_while_streaming(redis_url: str, redis_namespace: str) -> None:
    """Mid-publish: ticks every 5 ms flow into Redis when SIGTERM arrives."""
    client = redis.Redis.from_url(redis_url)
    latest_key = f"{redis_namespace}:latest"
    async with simulator_stream(StreamConfig(tick_interval_s=0.005)) as stream_url:
        with child_process(CONSUME, consume_env(redis_url, redis_namespace, stream_url)) as child:
            await eventually(lambda: client.hlen(latest_key) >= 10, timeout_s=30, what="ticks")
            exit_s = await asyncio.to_thread(child.sigterm_exit_s)
    client.delete(latest_key)
    client.close()
    child.assert_prompt(exit_s, CONSUMER_SHUTDOWN_S)
    assert child.process.returncode == 0
    assert child.said("consumer stopped")


@pytest.mark.parametrize("redis_state", ["refusing", "silent"])
async def test_consume_exits_promptly_while_redis_is_down(
    redis_state: str, redis_namespace: str
) -> None:
    """Redis refuses connections (backoff loop) or accepts and never answers (a write in flight)."""
    async with (
        simulator_stream(StreamConfig(tick_interval_s=0.01)) as stream_url,
        silent_server() as silent,
    ):
        port = silent.port if redis_state == "silent" else refused_port()
        env = consume_env(f"redis://127.0.0.1:{port}/0", redis_namespace, stream_url)
        with child_process(CONSUME, env) as child:
            if redis_state == "silent":
                await eventually(lambda: silent.accepted >= 1, timeout_s=30, what="connection")
            else:
                await eventually(
                    lambda: child.said("redis unreachable"), timeout_s=30, what="redis down"
                )
            exit_s = await asyncio.to_thread(child.sigterm_exit_s)
    child.assert_prompt(exit_s, CONSUMER_SHUTDOWN_S)
    assert child.process.returncode == 0


@pytest.mark.parametrize("feed_state", ["refusing", "handshake-hangs"])
async def test_consume_exits_promptly_while_the_feed_is_down(
    feed_state: str, redis_url: str, redis_namespace: str
) -> None:
    """The feed refuses (reconnect backoff) or accepts TCP and never completes the handshake."""
    async with silent_server() as silent:
        port = silent.port if feed_state == "handshake-hangs" else refused_port()
        env = consume_env(redis_url, redis_namespace, f"ws://127.0.0.1:{port}/ws/prices")
        with child_process(CONSUME, env) as child:
            if feed_state == "handshake-hangs":
                await eventually(lambda: silent.accepted >= 1, timeout_s=30, what="handshake")
            else:
                await eventually(lambda: child.said("feed lost"), timeout_s=30, what="reconnects")
            exit_s = await asyncio.to_thread(child.sigterm_exit_s)
    child.assert_prompt(exit_s, CONSUMER_SHUTDOWN_S)
    assert child.process.returncode == 0


def api_args(port: int, workers: int) -> list[str]:
    """The API's command line exactly as `cryptoflow up` runs it."""
    return api_command(VENV_BIN, "127.0.0.1", port, workers)


def api_shutdown_budget_s() -> float:
    """What the API gives itself to stop: uvicorn's graceful period (its command line), then
    the lifespan's stop of the hub and the Redis listener."""
    args = api_args(0, 1)
    return float(args[args.index("--timeout-graceful-shutdown") + 1]) + HUB_SHUTDOWN_S


def api_env(database_url: str, redis_url: str, namespace: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CRYPTOFLOW_REDIS_NAMESPACE": namespace,
        "CRYPTOFLOW_LOG_LEVEL": "info",
    }


async def api_answers(port: int) -> bool:
    async with httpx.AsyncClient(timeout=2) as client:
        try:
            return (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
        except httpx.TransportError:
            return False


@pytest.mark.parametrize("workers", [1, 2])
async def test_api_exits_promptly_while_serving_websocket_clients(
    workers: int, database_url: str, redis_url: str, redis_namespace: str
) -> None:
    """Ticks streaming to readers and to a client that never reads when SIGTERM arrives."""
    port = free_port()
    publisher = aioredis.Redis.from_url(redis_url)
    channel = f"{redis_namespace}:prices"
    env = api_env(database_url, redis_url, redis_namespace)
    with child_process(api_args(port, workers), env) as child:
        await eventually(lambda: api_answers(port), timeout_s=60, what="API up")

        async def subscribed() -> bool:
            counts = dict(await publisher.pubsub_numsub(channel))
            return counts.get(channel.encode(), 0) == workers

        await eventually(subscribed, timeout_s=30, what="every worker subscribed")
        url = f"ws://127.0.0.1:{port}/api/v1/ws/prices"
        stalled = await asyncio.open_connection("127.0.0.1", port)  # connects, never upgrades
        async with Recorder(url) as reader_a, Recorder(url) as reader_b:
            for i in range(20):
                await publisher.publish(channel, tick_json("bitcoin", 100.0 + i))
            await eventually(
                lambda: len(reader_a.ticks()) >= 20 and len(reader_b.ticks()) >= 20,
                timeout_s=30,
                what="ticks at the clients",
            )
            publishing = asyncio.create_task(publish_forever(publisher, channel))
            exit_s = await asyncio.to_thread(child.sigterm_exit_s)
            publishing.cancel()
        stalled[1].transport.abort()
    await publisher.aclose()
    assert_clean_api_exit(child, exit_s)


async def publish_forever(publisher: aioredis.Redis, channel: str) -> None:
    i = 0
    while True:
        i += 1
        await publisher.publish(channel, tick_json("ethereum", 1.0 + i))
        await asyncio.sleep(0.005)


@pytest.mark.parametrize("redis_state", ["refusing", "silent"])
async def test_api_exits_promptly_while_redis_is_down(
    redis_state: str, database_url: str, redis_namespace: str
) -> None:
    async with silent_server() as silent:
        redis_port = silent.port if redis_state == "silent" else refused_port()
        port = free_port()
        env = api_env(database_url, f"redis://127.0.0.1:{redis_port}/0", redis_namespace)
        with child_process(api_args(port, 1), env) as child:
            await eventually(lambda: api_answers(port), timeout_s=60, what="API up")
            if redis_state == "silent":
                await eventually(
                    lambda: silent.accepted >= 1, timeout_s=30, what="listener connecting"
                )
            exit_s = await asyncio.to_thread(child.sigterm_exit_s)
    assert_clean_api_exit(child, exit_s)


def assert_clean_api_exit(child: Child, exit_s: float) -> None:
    """In time, and through the lifespan's shutdown (uvicorn re-raises SIGTERM once done)."""
    child.assert_prompt(exit_s, api_shutdown_budget_s())
    assert child.process.returncode in (0, -signal.SIGTERM), child.lines[-10:]
    assert child.said("Application shutdown complete"), child.lines[-10:]
