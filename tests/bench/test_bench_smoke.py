"""Smoke test of the benchmarks: each cheap one runs with tiny parameters and reports numbers.

The pipeline and platform benchmarks take minutes by nature (a full backfill, `cryptoflow up`);
`make bench` runs them. Figures here are meaningless; what is checked is that each benchmark
measures both sides, computes its ratios and judges its targets.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bench import api_throughput, queries, ws_fanout
from bench.report import describe_machine, render
from bench.results import BenchReport


def _print(report: BenchReport) -> None:
    report.print()  # shown with `pytest -s`: the numbers of a tiny run


def test_api_throughput_compares_with_the_bare_endpoint(warehouse_db: str, redis_url: str) -> None:
    report = api_throughput.run(
        database_url=warehouse_db,
        redis_url=redis_url,
        duration_s=1,
        connections=4,
        endpoints=api_throughput.ENDPOINTS[:1],
        warmup_s=0,
    )
    _print(report)
    throughput, p50, p99 = report.results
    assert throughput.value > 0 and throughput.reference and throughput.reference > 0
    assert throughput.ratio is not None and throughput.met is not None
    assert 0 < p50.value <= p99.value


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
    delivered, p50, p99, rss = report.results
    assert delivered.value == 100 and delivered.met
    assert 0 < p50.value <= p99.value
    assert p99.reference is not None and p99.reference > 0  # the raw Redis subscriber
    assert rss.value > 0


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
