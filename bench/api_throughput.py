"""API throughput (docs/targets.md): req/s and latency of hot endpoints vs a bare FastAPI
endpoint sending the same bytes, both under the same uvicorn command line and the same load, in
the same run.

    python -m bench.api_throughput [--duration 10] [--workers 1] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path

import httpx

from bench.loadgen import Load, run_load, wrk_binary
from bench.procs import Server, running, uvicorn_args
from bench.results import BenchReport
from bench.warehouse import bench_database
from cryptoflow.services import free_port
from cryptoflow.settings import get_settings
from cryptoflow_cli.supervisor import http_ok

# (path, whether the ratio target of docs/targets.md is checked on it)
ENDPOINTS = (
    ("/api/v1/coins", True),
    ("/api/v1/market/overview", True),
    ("/api/v1/coins/bitcoin/ohlcv?days=365", False),
)
TARGET_RATIO = 0.5
CONNECTIONS = 64
WARMUP_S = 1.0


def _route(path: str) -> str:
    return path.split("?", 1)[0]


def run(
    *,
    database_url: str,
    redis_url: str,
    duration_s: float = 10.0,
    workers: int = 1,
    connections: int = CONNECTIONS,
    endpoints: Sequence[tuple[str, bool]] = ENDPOINTS,
    warmup_s: float = WARMUP_S,
) -> BenchReport:
    report = BenchReport("API throughput")
    wrk = wrk_binary()
    api_port, bare_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="bench-api-") as scratch:
        workdir = Path(scratch)
        api = Server(
            "API",
            uvicorn_args("api.main:app", port=api_port, workers=workers),
            env={
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "CRYPTOFLOW_REDIS_NAMESPACE": f"bench-{uuid.uuid4().hex[:8]}",
            },
            log_path=workdir / "api.log",
        )
        with running(api.start()):
            api_base = f"http://127.0.0.1:{api_port}"
            api.wait_ready(http_ok(f"{api_base}/readyz"))
            manifest: dict[str, str] = {}
            sizes: dict[str, int] = {}
            for index, (path, _) in enumerate(endpoints):
                response = httpx.get(api_base + path, timeout=30)
                response.raise_for_status()
                (workdir / f"body{index}.json").write_bytes(response.content)
                manifest[_route(path)] = f"body{index}.json"
                sizes[path] = len(response.content)
            (workdir / "bodies.json").write_text(json.dumps(manifest))
            bare = Server(
                "bare FastAPI",
                uvicorn_args("bench.bare_app:app", port=bare_port, workers=workers),
                env={"BENCH_BARE_BODIES": str(workdir / "bodies.json")},
                log_path=workdir / "bare.log",
            )
            with running(bare.start()):
                bare_base = f"http://127.0.0.1:{bare_port}"
                bare.wait_ready(http_ok(bare_base + _route(endpoints[0][0])))
                tool = ""
                for path, has_target in endpoints:
                    loads: dict[str, Load] = {}
                    cpu_per_request: dict[str, float] = {}
                    for side, server, base in (("api", api, api_base), ("bare", bare, bare_base)):
                        if warmup_s > 0:
                            run_load(
                                base + path, connections=connections, duration_s=warmup_s, wrk=wrk
                            )
                        cpu_before = server.cpu_seconds()
                        loads[side] = run_load(
                            base + path, connections=connections, duration_s=duration_s, wrk=wrk
                        )
                        cpu_per_request[side] = (server.cpu_seconds() - cpu_before) / max(
                            loads[side].requests, 1
                        )
                    real, ref = loads["api"], loads["bare"]
                    tool = real.tool
                    label = f"GET {path} ({sizes[path] / 1024:.1f} KB)"
                    report.add(
                        f"{label}: throughput",
                        real.requests_per_s,
                        "req/s",
                        reference=ref.requests_per_s,
                        reference_what="bare FastAPI, same bytes",
                        target=f"ratio ≥ {TARGET_RATIO}" if has_target else "",
                        met=(real.requests_per_s / ref.requests_per_s >= TARGET_RATIO)
                        if has_target
                        else None,
                        note=(
                            f"server CPU per request {cpu_per_request['api'] * 1e6:.0f} µs vs "
                            f"{cpu_per_request['bare'] * 1e6:.0f} µs bare"
                        ),
                    )
                    report.add(
                        f"{label}: latency p50", real.p50_ms, "ms", reference=ref.p50_ms,
                        reference_what="bare",
                    )  # fmt: skip
                    report.add(
                        f"{label}: latency p99", real.p99_ms, "ms", reference=ref.p99_ms,
                        reference_what="bare",
                    )  # fmt: skip
                    report.details.append(
                        f"{path}: server CPU per request {cpu_per_request['api'] * 1e6:.0f} µs "
                        f"(API) vs {cpu_per_request['bare'] * 1e6:.0f} µs (bare): the throughput "
                        "ratio a core of its own would give, "
                        f"{cpu_per_request['bare'] / cpu_per_request['api']:.2f}"
                    )
                    if real.errors or ref.errors:
                        report.details.append(
                            f"{path}: {real.errors} failed requests (API), {ref.errors} (bare)"
                        )
    report.details.append(
        "`/coins` and `/market/overview` are answered from the snapshot cache by "
        "`SnapshotReplayMiddleware` (api/core/cache.py) before FastAPI routes them, so they can "
        "beat the bare route; `/ohlcv` is read and serialized per request."
    )
    report.details.append(
        f"Load: {tool}, {connections} connections, {duration_s:.0f} s per side after a "
        f"{warmup_s:.0f} s warm-up; server: uvicorn, {workers} worker(s), the same command "
        "line for the API (`api.main:app`) and the bare app (`bench.bare_app:app`); load "
        "generator and servers share the machine's cores."
    )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--workers", type=int, default=get_settings().api_workers)
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument("--database-url", help="an already built warehouse (default: build one)")
    args = parser.parse_args()
    with bench_database(args.database_url) as (database_url, redis_url):
        run(
            database_url=database_url,
            redis_url=redis_url,
            duration_s=args.duration,
            workers=args.workers,
            connections=args.connections,
        ).print()


if __name__ == "__main__":
    main()
