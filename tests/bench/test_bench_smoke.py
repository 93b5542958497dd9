"""Smoke test of the benchmarks: each cheap one runs with tiny parameters and reports numbers.

The pipeline and platform benchmarks take minutes by nature (a full backfill, `cryptoflow up`);
`make bench` runs them. Figures here are meaningless; what is checked is that each benchmark
measures both sides, computes its ratios and judges its targets.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bench import api_throughput, event_latency, queries, ws_fanout
from bench.loadgen import parse_wrk
from bench.report import describe_machine, render
from bench.results import BenchReport
from support import httpload


def _print(report: BenchReport) -> None:
    report.print()  # shown with `pytest -s`: the numbers of a tiny run


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
    for throughput, p50, p99 in zip(*[iter(report.results)] * 3, strict=True):
        assert throughput.what.endswith("throughput")
        assert throughput.value > 0 and throughput.reference and throughput.reference > 0
        assert throughput.ratio is not None and throughput.met is not None
        assert 0 < p50.value <= p99.value
    sizes = [r.what.split("(")[1] for r in report.results[0:6:3]]
    assert sizes[0] != sizes[1]  # each URL of the route served its own body
    assert "If-None-Match → 304" in report.results[6].what
    assert not any("failed requests" in detail for detail in report.details)


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
    assert delivered.value == 100 and delivered.met
    assert 0 < p50.value <= p99.value <= worst.value
    assert p99.reference is not None and p99.reference > 0  # the raw Redis subscriber
    assert p99.met is not None
    assert 0 < get_p50.value <= get_p99.value


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
    assert delivered.value == 100 and delivered.met
    assert 0 < p50.value <= p99.value < 10_000
    assert p99.reference is not None and p99.reference > 0  # the raw Redis subscriber
    assert 0 <= per_frame.value < 10_000 and per_frame.unit == "µs" and per_frame.met is not None
    assert 50 < rss.value < 1000 and rss.reference is not None and rss.reference > 50
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


def test_queries_explain_every_statement_and_render(
    warehouse_db: str, pg_server_url: str, redis_url: str
) -> None:
    report = queries.run(database_url=warehouse_db, redis_url=redis_url)
    _print(report)
    mv_lookup = report.results[0]
    assert mv_lookup.what.startswith("MV lookup") and mv_lookup.met is not None
    assert any("/api/v1/market/overview" in r.what for r in report.results)
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
