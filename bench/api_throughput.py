"""API throughput (docs/targets.md): req/s and latency of every public warehouse GET vs a bare
FastAPI endpoint sending the same bytes, both under the same uvicorn command line and the same
load, in the same run; and a revalidation row: the same URL with `If-None-Match: <its ETag>`,
answered 304 without a body, against the bare endpoint's 200.

    python -m bench.api_throughput [--duration 10] [--workers 1] [--database-url URL]
"""

from __future__ import annotations

import argparse
import functools
import json
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench.loadgen import Load, run_load, wrk_binary
from bench.procs import Server, running, uvicorn_args
from bench.results import BenchReport
from bench.warehouse import bench_database
from cryptoflow.services import free_port
from cryptoflow.settings import get_settings
from cryptoflow_cli.supervisor import http_ok

# (path, whether the ratio target of docs/targets.md is checked on it): every public warehouse GET
ENDPOINTS = (
    ("/api/v1/coins", True),
    ("/api/v1/coins/sparklines?ids=bitcoin,ethereum,solana", True),
    ("/api/v1/coins/bitcoin", True),
    ("/api/v1/coins/bitcoin/history?days=365", True),
    ("/api/v1/coins/bitcoin/ohlcv?days=365", True),
    ("/api/v1/coins/bitcoin/analytics", True),
    ("/api/v1/market/overview", True),
    ("/api/v1/analytics/correlation", True),
    ("/api/v1/analytics/volatility", True),
    ("/api/v1/quality/checks", True),
    ("/api/v1/quality/summary", True),
)
# Requested with `If-None-Match: <its ETag>`: a browser revalidating what it kept.
REVALIDATE = "/api/v1/coins/bitcoin/ohlcv?days=365"
TARGET_RATIO = 0.8
CONNECTIONS = 64
WARMUP_S = 1.0


def _route(path: str) -> tuple[str, str]:
    """(route path, raw query string): the bare app keys its bodies on both."""
    parts = urlsplit(path)
    return parts.path, parts.query


def run(
    *,
    database_url: str,
    redis_url: str,
    duration_s: float = 10.0,
    workers: int = 1,
    connections: int = CONNECTIONS,
    endpoints: Sequence[tuple[str, bool]] = ENDPOINTS,
    revalidate: str | None = REVALIDATE,
    warmup_s: float = WARMUP_S,
) -> BenchReport:
    """One row group per endpoint, then the 304 row of `revalidate` (None: no such row)."""
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
            manifest: dict[str, dict[str, str]] = {}
            sizes: dict[str, int] = {}
            etags: dict[str, str] = {}
            paths = [path for path, _ in endpoints]
            if revalidate is not None and revalidate not in paths:
                paths.append(revalidate)
            for index, path in enumerate(paths):
                response = httpx.get(api_base + path, timeout=30)
                response.raise_for_status()
                (workdir / f"body{index}.json").write_bytes(response.content)
                route, query = _route(path)
                manifest.setdefault(route, {})[query] = f"body{index}.json"
                sizes[path] = len(response.content)
                etags[path] = response.headers.get("etag", "")
            (workdir / "bodies.json").write_text(json.dumps(manifest))
            if revalidate is not None:
                revalidated = httpx.get(
                    api_base + revalidate, headers={"If-None-Match": etags[revalidate]}, timeout=30
                )
                if revalidated.status_code != 304:
                    raise RuntimeError(
                        f"GET {revalidate} with If-None-Match {etags[revalidate]!r} answered "
                        f"{revalidated.status_code}, not 304"
                    )
            bare = Server(
                "bare FastAPI",
                uvicorn_args("bench.bare_app:app", port=bare_port, workers=workers),
                env={"BENCH_BARE_BODIES": str(workdir / "bodies.json")},
                log_path=workdir / "bare.log",
            )
            with running(bare.start()):
                bare_base = f"http://127.0.0.1:{bare_port}"
                bare.wait_ready(http_ok(bare_base + paths[0]))
                tool = ""
                rows: list[tuple[str, bool, dict[str, str], int | None]] = [
                    (path, has_target, {}, None) for path, has_target in endpoints
                ]
                if revalidate is not None:
                    rows.append(
                        (revalidate, True, {"If-None-Match": etags[revalidate]}, 304),
                    )
                for path, has_target, headers, expect_status in rows:
                    loads: dict[str, Load] = {}
                    cpu_per_request: dict[str, float] = {}
                    for side, server, base in (("api", api, api_base), ("bare", bare, bare_base)):
                        # The bare side always answers 200 with the body; the same kind of
                        # load (a status-checking one for the 304 row) runs against both.
                        load = functools.partial(
                            run_load,
                            base + path,
                            connections=connections,
                            wrk=wrk,
                            headers=headers if side == "api" else {},
                            expect_status=expect_status
                            if side == "api" or not expect_status
                            else 200,
                        )
                        if warmup_s > 0:
                            load(duration_s=warmup_s)
                        cpu_before = server.cpu_seconds()
                        loads[side] = load(duration_s=duration_s)
                        cpu_per_request[side] = (server.cpu_seconds() - cpu_before) / max(
                            loads[side].requests, 1
                        )
                    real, ref = loads["api"], loads["bare"]
                    tool = real.tool
                    label = (
                        f"GET {path} If-None-Match → 304 (vs the 200 of "
                        f"{sizes[path] / 1024:.1f} KB)"
                        if expect_status == 304
                        else f"GET {path} ({sizes[path] / 1024:.1f} KB)"
                    )
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
                        f"{label}: server CPU per request {cpu_per_request['api'] * 1e6:.0f} µs "
                        f"(API) vs {cpu_per_request['bare'] * 1e6:.0f} µs (bare): the throughput "
                        "ratio a core of its own would give, "
                        f"{cpu_per_request['bare'] / cpu_per_request['api']:.2f}"
                    )
                    if real.errors or ref.errors:
                        report.details.append(
                            f"{label}: {real.errors} failed requests (API), {ref.errors} (bare)"
                        )
    report.details.append(
        "Every public warehouse GET is a `VersionedRoute` (api/core/cache.py, "
        "docs/data-versions.md): the first request per (data version, path, query) runs the "
        "endpoint (done before the load: the body the bare app serves is taken from it); every "
        "measured request is answered from the kept bytes by `KeptAnswersMiddleware` before "
        "routing (a version check and a dict lookup), with `ETag`, `Last-Modified` and "
        "`Cache-Control: public, no-cache`; the bare app routes every request, so the API can "
        "beat it. The 304 row sends "
        "`If-None-Match` with the answer's ETag: no body; its reference is the bare 200 of the "
        "same URL (the load checks the status on both sides: 304 from the API, 200 bare)."
    )
    report.details.append(
        f"Load: {tool}, {connections} connections, {duration_s:g} s per side after a "
        f"{warmup_s:g} s warm-up; server: uvicorn, {workers} worker(s), the same command "
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
