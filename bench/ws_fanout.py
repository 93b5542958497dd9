"""WebSocket fan-out (docs/targets.md): 1,000 clients of the real API, 50 ticks/s published to
Redis: delivered / expected, publish→client latency, API CPU per frame, API RSS; reference: a
raw Redis subscriber in the same run. `--ceiling` first adds clients (1,500 … 5,000, 10 s each)
until p99 passes 100 ms or a tick is lost: how many clients one API process serves.

    python -m bench.ws_fanout [--clients 1000] [--rate 50] [--duration 30] [--ceiling]

The clients live in their own processes (`bench.ws_clients`), the publisher and the raw
subscriber in this one; ticks carry their PUBLISH instant in `ts`, the tick format's own field.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import select
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import redis.asyncio as aioredis

from bench.procs import MB, PROJECT_ROOT, Server, listening, live_api, running
from bench.results import BenchReport
from bench.warehouse import services
from bench.ws_clients import BUCKETS_PER_MS
from cryptoflow.services import free_port
from cryptoflow.settings import get_settings
from cryptoflow.simulator.coins import COINS

TARGET_P99_MS = 100.0
TARGET_RSS_MB = 300.0
TARGET_FRAME_US = 20.0  # the `websockets` library's own broadcast() costs 15-16 µs here
TARGET_CEILING = 2500  # clients at which that broadcast() server's p99 crosses 100 ms here
CEILING_COUNTS = (1500, 2000, 2500, 3000, 4000, 5000)
DRAIN_S = 15.0  # how long clients may take to receive the last ticks before they are stopped


def percentile(histogram: Counter[int], q: float) -> float:
    """The q-quantile (ms) of a histogram of `BUCKETS_PER_MS` buckets per millisecond."""
    total = sum(histogram.values())
    rank, seen = q * total, 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= rank:
            return (bucket + 0.5) / BUCKETS_PER_MS
    return float("nan")


def _raise_open_files_limit() -> None:
    """1,000 sockets on each side: children (server and clients) inherit the raised limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _tick(index: int) -> bytes:
    coin = COINS[index % len(COINS)]
    return orjson.dumps(
        {
            "coin_id": coin.id,
            "symbol": coin.symbol,
            "price_usd": coin.price * (1 + (index % 100) / 1e4),
            "ts": datetime.now(UTC).isoformat(),
        }
    )


async def _publish_and_watch(
    redis_url: str, channel: str, *, count: int, rate: float, api: Server
) -> tuple[Counter[int], int, float]:
    """Publish `count` ticks at `rate`/s; return the raw subscriber's latency histogram, how many
    it received and the API's peak RSS (bytes) sampled meanwhile."""
    publisher = aioredis.Redis.from_url(redis_url)
    subscriber = aioredis.Redis.from_url(redis_url)
    pubsub = subscriber.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(channel)
    reference: Counter[int] = Counter()
    received = 0
    peak_rss = api.rss_bytes()

    async def listen() -> None:
        nonlocal received
        while received < count:
            message = await pubsub.get_message(timeout=1.0)
            if message is None:
                continue
            now = time.time()
            ts = datetime.fromisoformat(orjson.loads(message["data"])["ts"]).timestamp()
            reference[max(0, int((now - ts) * 1000 * BUCKETS_PER_MS))] += 1
            received += 1

    async def sample_rss() -> None:
        nonlocal peak_rss
        while True:
            peak_rss = max(peak_rss, api.rss_bytes())
            await asyncio.sleep(0.5)

    listener = asyncio.create_task(listen())
    sampler = asyncio.create_task(sample_rss())
    loop = asyncio.get_running_loop()
    start = loop.time()
    for index in range(count):
        await asyncio.sleep(max(0.0, start + index / rate - loop.time()))
        await publisher.publish(channel, _tick(index))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(listener, DRAIN_S)
    sampler.cancel()
    await pubsub.aclose()
    await subscriber.aclose()
    await publisher.aclose()
    return reference, received, peak_rss


def _client_command(url: str, *, clients: int, expected: int, out: Path) -> list[str]:
    return [
        sys.executable, "-m", "bench.ws_clients", url, "--clients", str(clients),
        "--expected", str(expected), "--out", str(out),
    ]  # fmt: skip


def _await_ready(clients: list[subprocess.Popen[str]], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    for process in clients:
        assert process.stdout is not None
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or process.poll() is not None:
                raise RuntimeError("WebSocket client process did not connect its clients")
            readable, _, _ = select.select([process.stdout], [], [], remaining)
            if readable and process.stdout.readline().strip() == "READY":
                break


def _stop_when_done(clients: list[subprocess.Popen[str]], grace_s: float) -> None:
    """Let each client process finish on its own (it stops once it has every tick); after
    `grace_s`, closing its stdin makes it write what it got."""
    deadline = time.monotonic() + grace_s
    for process in clients:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            assert process.stdin is not None
            process.stdin.close()
            process.wait(30)


@dataclass
class Fanout:
    """One measured run: `clients` sockets, `count` ticks published at `rate`/s."""

    clients: int
    count: int
    rate: float
    workers: int
    client_processes: int
    per_client: list[int]  # ticks each client received
    histogram: Counter[int]  # publish→client latency, all clients
    reference: Counter[int]  # publish→raw Redis subscriber latency
    raw_received: int
    idle_rss: float
    peak_rss: float
    api_cpu_s: float
    publish_s: float
    frames_sent: int  # by the hub while publishing
    client_frames: int
    client_cpu_s: float
    hub: dict[str, Any]  # the hub's status once clients are done
    connected: dict[str, Any]  # … and once every client had connected

    @property
    def delivered(self) -> int:
        return sum(min(n, self.count) for n in self.per_client)

    @property
    def complete(self) -> bool:
        return self.delivered == self.count * self.clients

    @property
    def p99(self) -> float:
        return percentile(self.histogram, 0.99)

    @property
    def per_frame_us(self) -> float:
        return self.api_cpu_s / max(self.frames_sent, 1) * 1e6


def measure(
    *,
    database_url: str,
    redis_url: str,
    clients: int,
    rate: float,
    duration_s: float,
    client_processes: int = 2,
    workers: int = 1,
) -> Fanout:
    _raise_open_files_limit()
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    channel = f"{namespace}:prices"
    count = int(rate * duration_s)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-ws-") as scratch:
        api = live_api(
            port=port,
            workers=workers,
            database_url=database_url,
            redis_url=redis_url,
            namespace=namespace,
            log_path=Path(scratch) / "api.log",
        )
        status_url = f"http://127.0.0.1:{port}/api/v1/ws/status"
        with running(api.start()):
            api.wait_ready(listening(port))
            idle_rss = api.rss_bytes()
            shares = [clients // client_processes] * client_processes
            shares[0] += clients - sum(shares)
            url = f"ws://127.0.0.1:{port}/api/v1/ws/prices"
            outs = [Path(scratch) / f"clients{i}.json" for i in range(client_processes)]
            processes = [
                subprocess.Popen(
                    _client_command(url, clients=share, expected=count, out=out),
                    cwd=PROJECT_ROOT,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for share, out in zip(shares, outs, strict=True)
            ]
            try:
                _await_ready(processes, timeout_s=120)
                connected = httpx.get(status_url, timeout=5).json()
                cpu_before = api.cpu_seconds()
                started = time.monotonic()
                reference, raw_received, peak_rss = asyncio.run(
                    _publish_and_watch(redis_url, channel, count=count, rate=rate, api=api)
                )
                publish_s = time.monotonic() - started
                api_cpu_s = api.cpu_seconds() - cpu_before
                _stop_when_done(processes, DRAIN_S)
                outcomes = [json.loads(out.read_text()) for out in outs]
                hub = httpx.get(status_url, timeout=5).json()
            finally:
                for process in processes:
                    if process.poll() is None:
                        process.kill()
                        process.wait()

    histogram: Counter[int] = Counter()
    for outcome in outcomes:
        histogram.update({int(k): v for k, v in outcome["histogram"].items()})
    return Fanout(
        clients=clients,
        count=count,
        rate=rate,
        workers=workers,
        client_processes=client_processes,
        per_client=[n for outcome in outcomes for n in outcome["ticks"]],
        histogram=histogram,
        reference=reference,
        raw_received=raw_received,
        idle_rss=idle_rss,
        peak_rss=peak_rss,
        api_cpu_s=api_cpu_s,
        publish_s=publish_s,
        frames_sent=hub["messages_sent"] - connected["messages_sent"],
        client_frames=sum(o["frames"] for o in outcomes),
        client_cpu_s=sum(o["cpu_s"] for o in outcomes),
        hub=hub,
        connected=connected,
    )


def run(
    *,
    database_url: str,
    redis_url: str,
    clients: int = 1000,
    rate: float = 50.0,
    duration_s: float = 30.0,
    client_processes: int = 2,
    workers: int = 1,
) -> BenchReport:
    report = BenchReport("WebSocket fan-out")
    m = measure(
        database_url=database_url,
        redis_url=redis_url,
        clients=clients,
        rate=rate,
        duration_s=duration_s,
        client_processes=client_processes,
        workers=workers,
    )
    p50, p99 = percentile(m.histogram, 0.5), m.p99
    report.add(
        f"{clients} clients x {m.count} ticks ({rate:.0f}/s): delivered",
        100 * m.delivered / (m.count * clients),
        "%",
        reference=100 * m.raw_received / m.count,
        reference_what="raw Redis subscriber",
        target="100 %",
        met=m.complete,
    )
    report.add(
        "publish→client latency p50", p50, "ms",
        reference=percentile(m.reference, 0.5), reference_what="raw Redis subscriber",
    )  # fmt: skip
    report.add(
        "publish→client latency p99",
        p99,
        "ms",
        reference=percentile(m.reference, 0.99),
        reference_what="raw Redis subscriber",
        target=f"< {TARGET_P99_MS:.0f} ms",
        met=p99 < TARGET_P99_MS,
        note=(
            f"the API process got {m.api_cpu_s / m.publish_s:.0%} of a core while publishing "
            f"(the clients {m.client_cpu_s / m.publish_s:.0%}); at {m.per_frame_us:.0f} µs per "
            f"frame a core of its own sends {1e6 / max(m.per_frame_us, 1) / clients:.0f} "
            f"frames/s to each of {clients} clients"
        ),
    )
    report.add(
        "API CPU per frame sent to one client",
        m.per_frame_us,
        "µs",
        target=f"< {TARGET_FRAME_US:.0f} µs",
        met=m.per_frame_us < TARGET_FRAME_US,
        note="one serialization per frame, one transport write per client (live/wire.py)",
    )
    report.add(
        f"API RSS, peak under {clients} clients",
        m.peak_rss / MB,
        "MB",
        reference=m.idle_rss / MB,
        reference_what="same API idle, before clients",
        target=f"< {TARGET_RSS_MB:.0f} MB",
        met=m.peak_rss / MB < TARGET_RSS_MB,
    )
    complete = sum(n >= m.count for n in m.per_client)
    hub = m.hub
    report.details += [
        f"Clients complete: {complete}/{clients}; the slowest got {min(m.per_client)} of "
        f"{m.count} ticks. Frames: {m.client_frames / clients / m.publish_s:.1f}/s per client, "
        f"{m.delivered / max(m.client_frames, 1):.1f} ticks per frame (the hub coalesces).",
        f"Hub{' (one worker of several)' if workers > 1 else ''}: "
        f"{hub['frames_built']} frames built, {hub['messages_sent']} sent, "
        f"{hub['drops']} dropped (client not draining); "
        f"{m.connected['transport_connections']} of {m.connected['connections']} clients "
        f"written straight to their transport. API CPU while publishing: {m.api_cpu_s:.1f} s in "
        f"{m.publish_s:.0f} s.",
        f"Clients: {client_processes} processes of asyncio protocols offering "
        f"permessage-deflate like browsers; they used {m.client_cpu_s:.1f} CPU-s in "
        f"{m.publish_s:.0f} s. API: uvicorn `api.main:app`, {workers} worker(s).",
    ]
    return report


def ceiling(
    *,
    database_url: str,
    redis_url: str,
    counts: tuple[int, ...] = CEILING_COUNTS,
    rate: float = 50.0,
    duration_s: float = 10.0,
) -> BenchReport:
    """More clients until p99 passes the target (or a tick is lost): where one process stops."""
    report = BenchReport("WebSocket fan-out ceiling")
    crossed: int | None = None
    best = 0  # the most clients served within the target
    steps = []
    for clients in counts:
        m = measure(
            database_url=database_url,
            redis_url=redis_url,
            clients=clients,
            rate=rate,
            duration_s=duration_s,
        )
        steps.append(
            f"{clients}: p99 {m.p99:.0f} ms, {100 * m.delivered / (m.count * clients):.2f} % "
            f"delivered, {m.per_frame_us:.0f} µs per frame, API {m.api_cpu_s / m.publish_s:.0%} "
            f"of a core"
        )
        if m.p99 >= TARGET_P99_MS or not m.complete:
            crossed = clients
            break
        best = clients
    report.add(
        "clients of one API process with p99 < 100 ms and every tick delivered",
        best,
        "clients",
        target=f">= {TARGET_CEILING}",
        met=best >= TARGET_CEILING,
        note=(
            f"p99 crossed 100 ms (or a tick was lost) at {crossed} clients"
            if crossed
            else f"still under 100 ms at {counts[-1]} clients, the most tried"
        ),
    )
    report.details.append(
        f"{rate:.0f} ticks/s for {duration_s:.0f} s per step, 2 client processes on the same "
        f"cores: " + "; ".join(steps) + "."
    )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="ticks published per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of publishing")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=get_settings().api_workers)
    parser.add_argument(
        "--ceiling", action="store_true", help="also find the client count where p99 > 100 ms"
    )
    args = parser.parse_args()
    with services() as (pg_url, redis_url):
        if args.ceiling:
            ceiling(database_url=pg_url, redis_url=redis_url, rate=args.rate).print()
        run(
            database_url=pg_url,  # the live-price path reads only Redis
            redis_url=redis_url,
            clients=args.clients,
            rate=args.rate,
            duration_s=args.duration,
            client_processes=args.client_processes,
            workers=args.workers,
        ).print()


if __name__ == "__main__":
    main()
