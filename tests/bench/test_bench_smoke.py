"""Smoke test of the benchmarks: each cheap one runs with tiny parameters and reports numbers.

The pipeline and platform benchmarks take minutes by nature (a full backfill, `cryptoflow up`);
`make bench` runs them. Figures here are meaningless; what is checked is that each benchmark
measures both sides, computes its ratios and judges its targets.
"""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime

from bench import api_throughput, event_latency, queries, ws_fanout
from bench.loadgen import parse_wrk
from bench.report import describe_machine, render
from bench.results import BenchReport, Result
from support import httpload

# Sanity ceilings, far beyond any real figure of these tiny runs: a value above one is a unit or
# arithmetic error (seconds as ms, a sum for a mean), never a slow machine.
MAX_MS = 60_000.0
MAX_RATIO = 100.0


def _print(report: BenchReport) -> None:
    report.print()  # shown with `pytest -s`: the numbers of a tiny run


def _positive(value: float | None, ceiling: float) -> float:
    """`value`, checked finite and in (0, ceiling]."""
    assert value is not None and math.isfinite(value) and 0 < value <= ceiling, value
    return value


def _sane_latencies(p50: Result, p99: Result) -> None:
    """A p50/p99 pair in ms, of this project and of its reference, each ordered."""
    assert (p50.unit, p99.unit) == ("ms", "ms")
    assert _positive(p50.value, MAX_MS) <= _positive(p99.value, MAX_MS)
    if p50.reference is not None or p99.reference is not None:
        assert _positive(p50.reference, MAX_MS) <= _positive(p99.reference, MAX_MS)


def test_api_throughput_compares_with_the_bare_endpoint(warehouse_db: str, redis_url: str) -> None:
    # Two URLs of one route (the bare app keeps a body per query) and the 304 revalidation row.
    history = ("/api/v1/coins/bitcoin/history?days=30", True)
    report = api_throughput.run(
        database_url=warehouse_db,
        redis_url=redis_url,
        duration_s=1,
        connections=4,
        endpoints=[history, ("/api/v1/coins/bitcoin/history?days=365", True)],
        revalidate="/api/v1/coins/bitcoin/history?days=365",
        warmup_s=0,
    )
    _print(report)
    assert len(report.results) == 9  # (throughput, p50, p99) x (2 endpoints + the 304 row)
    paths = [history[0]] + ["/api/v1/coins/bitcoin/history?days=365"] * 2  # the last: 304 row
    for path, (throughput, p50, p99) in zip(
        paths, zip(*[iter(report.results)] * 3, strict=True), strict=True
    ):
        label = throughput.what.removesuffix(": throughput")
        assert label.startswith(f"GET {path} ") and throughput.what.endswith(": throughput")
        assert (p50.what, p99.what) == (f"{label}: latency p50", f"{label}: latency p99")
        assert throughput.unit == "req/s"
        _positive(throughput.value, 1e7)
        _positive(throughput.reference, 1e7)
        ratio = _positive(throughput.ratio, MAX_RATIO)
        assert throughput.met == (ratio >= api_throughput.TARGET_RATIO)
        _sane_latencies(p50, p99)
    sizes = [r.what.split("(")[1] for r in report.results[0:6:3]]
    assert sizes[0] != sizes[1]  # each URL of the route served its own body
    assert all(0 < float(size.split(" KB")[0]) < 1024 for size in sizes), sizes
    assert "If-None-Match → 304" in report.results[6].what
    assert not any("failed requests" in detail for detail in report.details)
    assert ", 4 connections, 1 s per side after a 0 s warm-up;" in report.details[-1]


def test_every_public_get_is_benchmarked() -> None:
    paths = [path for path, has_target in api_throughput.ENDPOINTS if has_target]
    assert len(paths) == len(api_throughput.ENDPOINTS) == 11
    assert "/api/v1/coins/bitcoin/ohlcv?days=365" in paths
    assert "/api/v1/coins/bitcoin/history?days=365" in paths
    assert api_throughput.TARGET_RATIO == 0.8


def test_event_latency_delivers_every_event(warehouse_db: str, redis_url: str) -> None:
    report = event_latency.run(
        database_url=warehouse_db, redis_url=redis_url, events=5, clients=2, interval_s=0.02
    )
    _print(report)
    delivered, p50, p99, worst, get_p50, get_p99 = report.results
    assert delivered.what == "2 clients x 5 data_version events: delivered"
    assert (delivered.value, delivered.unit, delivered.met) == (100, "%", True)
    assert delivered.reference == 100  # the raw Redis subscriber had every event too
    _sane_latencies(p50, p99)  # reference: the raw Redis subscriber
    assert p99.value <= _positive(worst.value, MAX_MS) and worst.unit == "ms"
    assert p99.met == (p99.value < event_latency.TARGET_MS)
    _sane_latencies(get_p50, get_p99)
    assert report.details[0].startswith(
        "Clients with every event: 2/2; 10 of 10 frames. Events: 5, one every 20 ms:"
    )


def test_websocket_fanout_delivers_every_tick(database_url: str, redis_url: str) -> None:
    report = ws_fanout.run(
        database_url=database_url,
        redis_url=redis_url,
        clients=10,
        rate=20,
        duration_s=1,
        client_processes=1,
    )
    _print(report)
    delivered, p50, p99, per_frame, rss = report.results
    assert delivered.what == "10 clients x 20 ticks (20/s): delivered"
    assert (delivered.value, delivered.unit, delivered.met) == (100, "%", True)
    assert delivered.reference == 100  # the raw Redis subscriber had every tick too
    _sane_latencies(p50, p99)  # reference: the raw Redis subscriber
    assert p99.met == (p99.value < ws_fanout.TARGET_P99_MS)
    assert 0 <= per_frame.value < 10_000 and math.isfinite(per_frame.value)
    assert per_frame.unit == "µs"
    assert per_frame.met == (per_frame.value < ws_fanout.TARGET_FRAME_US)
    assert 50 < rss.value < 1000 and rss.reference is not None and 50 < rss.reference <= rss.value
    assert rss.unit == "MB" and rss.met == (rss.value < ws_fanout.TARGET_RSS_MB)
    assert report.details[0].startswith("Clients complete: 10/10; the slowest got 20 of 20 ticks.")
    assert "10 of 10 clients written straight to their transport" in report.details[1]


def test_websocket_ceiling_adds_clients_until_the_target_is_missed(
    database_url: str, redis_url: str
) -> None:
    report = ws_fanout.ceiling(
        database_url=database_url, redis_url=redis_url, counts=(5, 10), rate=20, duration_s=1
    )
    _print(report)
    (served,) = report.results
    assert served.value in (0, 5, 10) and served.unit == "clients"
    assert served.met is False  # 10 clients is far below the 2,500 target
    assert report.details[0].count("µs per frame") == (2 if served.value == 10 else 1)
    # The step after the last one served is where it crossed; none when both were served.
    assert served.note == (
        "still under 100 ms at 10 clients, the most tried"
        if served.value == 10
        else f"p99 crossed 100 ms (or a tick was lost) at {int(served.value) + 5} clients"
    )
    assert report.details[0].startswith("20 ticks/s for 1 s per step, 2 client processes")


def test_queries_explain_every_statement_and_render(
    warehouse_db: str, pg_server_url: str, redis_url: str
) -> None:
    report = queries.run(database_url=warehouse_db, redis_url=redis_url)
    _print(report)
    mv_lookups = [r for r in report.results if r.what.startswith("MV lookup")]
    endpoints = report.results[len(mv_lookups) :]
    assert mv_lookups and report.results[: len(mv_lookups)] == mv_lookups
    for mv_lookup in mv_lookups:
        assert mv_lookup.what == "MV lookup by coin_id: server-side execution"
        assert mv_lookup.unit == "ms"
        _positive(mv_lookup.value, MAX_MS)
        _positive(mv_lookup.reference, MAX_MS)  # the statement forced onto the unique index
        assert mv_lookup.met == (mv_lookup.value < queries.MV_TARGET_MS)
    assert any("/api/v1/market/overview" in r.what for r in endpoints)
    for result in endpoints:  # per endpoint: its statements' summed execution
        assert result.what.startswith("GET /") and result.unit == "ms", result.what
        _positive(result.value, MAX_MS)
    markdown = render(
        [report],
        machine=describe_machine(pg_server_url, redis_url),
        started=datetime.now(UTC),
        elapsed_s=1.0,
        load_before=(0.0, 0.0, 0.0),
        load_after=(0.0, 0.0, 0.0),
        failures=[],
    )
    assert "| Warehouse queries | MV lookup by coin_id" in markdown
    assert "## Targets missed" in markdown


def test_httpload_reads_a_304_without_content_length() -> None:
    async def read(raw: bytes) -> tuple[int, dict[bytes, bytes], bytes]:
        reader = asyncio.StreamReader()
        reader.feed_data(raw)
        return await httpload._read_answer(reader)

    not_modified = b'HTTP/1.1 304 Not Modified\r\netag: "abc"\r\n\r\nHTTP/1.1 200 OK\r\n'
    status, headers, body = asyncio.run(read(not_modified))
    assert (status, headers[b"etag"], body) == (304, b'"abc"', b"")
    ok = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"
    assert asyncio.run(read(ok))[::2] == (200, b"{}")
    assert httpload.succeeded(304, None) and httpload.succeeded(304, 304)
    assert not httpload.succeeded(200, 304) and not httpload.succeeded(404, None)
    assert httpload.parse_header('If-None-Match: "a:b"') == ("If-None-Match", '"a:b"')


def test_wrk_answers_of_an_unexpected_status_are_not_successes() -> None:
    output = """Running 1s test @ http://127.0.0.1:1/x
  Latency Distribution
     50%    1.00ms
     99%    2.00ms
  1000 requests in 1.00s, 10.00KB read
Requests/sec:   1000.00
Unexpected status: 250
"""
    load = parse_wrk(output)
    assert (load.requests, load.errors, load.requests_per_s) == (750, 250, 750.0)
