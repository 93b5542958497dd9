"""Event latency (docs/targets.md): a run records a data version → every open browser socket has
its `data_version` frame; and publish → a GET on the API answers with the new run id.

    python -m bench.event_latency [--events 50] [--clients 5] [--interval 0.1] [--database-url URL]

The real API (`api.main:app` under uvicorn, as in `bench.api_throughput`) serves the bench
warehouse with a Redis namespace of its own; WebSocket clients (the `websockets` library, offering
permessage-deflate like a browser) sit on `/api/v1/ws/prices`. Each event is what a run does at
its end, with the orchestration's own code: `record_version` commits a `market` version of the
warehouse, `WarehouseResource.publish_events` publishes its `version_event`. Timed from just after
the commit ("run end") to each client's receipt of the frame naming that run id; a raw Redis
subscriber of the events channel is the reference. Then `GET /api/v1/coins/bitcoin` is repeated
until it is labelled with the new run id (the API applies a version before relaying its frame).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import redis.asyncio as aioredis
import websockets

from bench.procs import listening, live_api, running
from bench.results import BenchReport
from bench.warehouse import bench_database
from bench.ws_clients import wait_until
from cryptoflow.db import make_engine
from cryptoflow.platform_events import events_channel
from cryptoflow.services import free_port
from cryptoflow.settings import get_settings
from orchestration.data_versions import record_version, version_event
from orchestration.resources import WarehouseResource

TARGET_MS = 2000.0
DATASET = "market"
GET_PATH = "/api/v1/coins/bitcoin"  # reads `market`; labelled with its version's run id
JOB_NAME = "bench_event_latency"
DRAIN_S = 10.0  # how long the last frames may take before the clients are read


@dataclass
class Arrivals:
    """Receipt instants (time.monotonic) of each run id's `data_version` frame at one receiver."""

    at: dict[str, float] = field(default_factory=dict)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def record(self, run_id: str) -> None:
        self.at.setdefault(run_id, time.monotonic())
        self.changed.set()


@dataclass
class Published:
    run_id: str
    committed: float  # monotonic, just after the version's commit: "run end"
    publishing: float  # just before `publish_events`
    get_ok: float  # when a GET first answered with this run id
    gets: int  # how many GETs that took


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def _client(url: str, arrivals: Arrivals, ready: asyncio.Event) -> None:
    async with websockets.connect(url, max_size=2**24) as socket:
        async for raw in socket:
            frame = orjson.loads(raw)
            if not ready.is_set():
                ready.set()  # the first frame (the snapshot): the hub has this client
            if frame.get("type") == "event" and frame.get("kind") == "data_version":
                arrivals.record(str(frame["version"]["run_id"]))


async def _raw_subscriber(
    redis_url: str, channel: str, arrivals: Arrivals, subscribed: asyncio.Event
) -> None:
    client = aioredis.Redis.from_url(redis_url)
    pubsub = client.pubsub()
    try:
        await pubsub.subscribe(channel)
        while True:
            message = await pubsub.get_message(timeout=1.0)
            if message is None:
                continue
            if message["type"] == "subscribe":  # Redis confirmed: the subscription is in place
                subscribed.set()
            elif message["type"] == "message":
                event = orjson.loads(message["data"])
                if event.get("kind") == "data_version":
                    arrivals.record(str(event["version"]["run_id"]))
    finally:
        await pubsub.aclose()
        await client.aclose()


def _one_run_end(
    resource: WarehouseResource, engine: Any, http: httpx.Client, run_id: str
) -> Published:
    """What a run does at its end, then GETs until the API answers with the new version."""
    with engine.begin() as conn:
        version = record_version(conn, dataset=DATASET, run_id=run_id, job_name=JOB_NAME)
    committed = time.monotonic()
    event = version_event(version)
    publishing = time.monotonic()
    resource.publish_events([event])
    gets = 0
    deadline = committed + 30
    while True:
        gets += 1
        answer = http.get(GET_PATH)
        answer.raise_for_status()
        if answer.json().get("run_id") == run_id:
            return Published(run_id, committed, publishing, time.monotonic(), gets)
        if time.monotonic() > deadline:
            raise TimeoutError(f"GET {GET_PATH} never answered with run {run_id}")


async def _measure(
    *,
    database_url: str,
    redis_url: str,
    namespace: str,
    port: int,
    events: int,
    clients: int,
    interval_s: float,
) -> tuple[list[Published], list[Arrivals], Arrivals]:
    url = f"ws://127.0.0.1:{port}/api/v1/ws/prices"
    per_client = [Arrivals() for _ in range(clients)]
    raw = Arrivals()
    changed = asyncio.Event()
    for arrivals in (*per_client, raw):
        arrivals.changed = changed
    readies = [asyncio.Event() for _ in range(clients + 1)]
    tasks = [
        asyncio.create_task(_client(url, arrivals, ready))
        for arrivals, ready in zip(per_client, readies, strict=False)
    ]
    channel = events_channel(namespace)
    tasks.append(asyncio.create_task(_raw_subscriber(redis_url, channel, raw, readies[-1])))
    resource = WarehouseResource(
        database_url=database_url, redis_url=redis_url, redis_namespace=namespace
    )
    engine = make_engine(database_url)
    published: list[Published] = []
    try:
        await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies)), 30)
        prefix = f"bench-{uuid.uuid4().hex[:8]}"
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            started = time.monotonic()
            for index in range(events):
                await asyncio.sleep(max(0.0, started + index * interval_s - time.monotonic()))
                published.append(
                    await asyncio.to_thread(
                        _one_run_end, resource, engine, http, f"{prefix}-{index}"
                    )
                )
        run_ids = [p.run_id for p in published]
        await wait_until(
            changed,
            lambda: all(r in a.at for a in (*per_client, raw) for r in run_ids),
            DRAIN_S,
        )
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        engine.dispose()
    return published, per_client, raw


def run(
    *,
    database_url: str,
    redis_url: str,
    events: int = 50,
    clients: int = 5,
    interval_s: float = 0.1,
    workers: int = 1,
) -> BenchReport:
    report = BenchReport("Event latency")
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-events-") as scratch:
        api = live_api(
            port=port,
            workers=workers,
            database_url=database_url,
            redis_url=redis_url,
            namespace=namespace,
            log_path=Path(scratch) / "api.log",
        )
        with running(api.start()):
            api.wait_ready(listening(port))
            published, per_client, raw = asyncio.run(
                _measure(
                    database_url=database_url,
                    redis_url=redis_url,
                    namespace=namespace,
                    port=port,
                    events=events,
                    clients=clients,
                    interval_s=interval_s,
                )
            )

    latencies_ms = [
        (arrivals.at[p.run_id] - p.committed) * 1000
        for arrivals in per_client
        for p in published
        if p.run_id in arrivals.at
    ]
    raw_ms = [(raw.at[p.run_id] - p.committed) * 1000 for p in published if p.run_id in raw.at]
    get_ms = [(p.get_ok - p.publishing) * 1000 for p in published]
    expected = len(published) * clients
    delivered = len(latencies_ms)
    complete = sum(all(p.run_id in a.at for p in published) for a in per_client)
    p50, p99 = percentile(latencies_ms, 0.5), percentile(latencies_ms, 0.99)
    report.add(
        f"{clients} clients x {len(published)} data_version events: delivered",
        100 * delivered / max(expected, 1),
        "%",
        reference=100 * len(raw_ms) / max(len(published), 1),
        reference_what="raw Redis subscriber",
        target="100 %",
        met=delivered == expected,
    )
    report.add(
        "run end → browser socket p50", p50, "ms",
        reference=percentile(raw_ms, 0.5), reference_what="raw Redis subscriber",
    )  # fmt: skip
    report.add(
        "run end → browser socket p99",
        p99,
        "ms",
        reference=percentile(raw_ms, 0.99),
        reference_what="raw Redis subscriber",
        target=f"< {TARGET_MS:.0f} ms",
        met=delivered == expected and p99 < TARGET_MS,
    )
    report.add("run end → browser socket max", max(latencies_ms, default=float("nan")), "ms")
    report.add("publish → GET answers the new run_id p50", percentile(get_ms, 0.5), "ms")
    report.add("publish → GET answers the new run_id p99", percentile(get_ms, 0.99), "ms")
    gets = [p.gets for p in published]
    report.details += [
        f"Clients with every event: {complete}/{clients}; {delivered} of {expected} frames. "
        f"Events: {len(published)}, one every {interval_s * 1000:.0f} ms: "
        f"`orchestration.data_versions.record_version` commits a `{DATASET}` version, "
        "`WarehouseResource.publish_events([version_event(...)])` publishes it on "
        f"`<namespace>:events` (a Redis connection per call, as in a run).",
        f"`GET {GET_PATH}` repeated from the publish on until labelled with the new run id: "
        f"{sum(gets)} GETs for {len(gets)} events (at most {max(gets, default=0)} for one); "
        "the version is applied by the API before it relays the frame, and a new version's "
        "first GET runs the endpoint (its answer is then kept).",
        f"API: uvicorn `api.main:app`, {workers} worker(s); clients: the `websockets` library "
        "in this process (permessage-deflate offered), the publisher in a thread of it.",
    ]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--clients", type=int, default=5)
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between events")
    parser.add_argument("--workers", type=int, default=get_settings().api_workers)
    parser.add_argument("--database-url", help="an already built warehouse (default: build one)")
    args = parser.parse_args()
    with bench_database(args.database_url) as (database_url, redis_url):
        run(
            database_url=database_url,
            redis_url=redis_url,
            events=args.events,
            clients=args.clients,
            interval_s=args.interval,
            workers=args.workers,
        ).print()


if __name__ == "__main__":
    main()
