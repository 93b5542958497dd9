"""`make bench`: every benchmark of `docs/targets.md` in one run, then `docs/benchmarks.md`.

    python -m bench.run_all [--output docs/benchmarks.md] [--quick]

`--quick` shortens every measurement (2 s loads, 10 data-version events, 200 WebSocket clients
for 5 s, a WebSocket ceiling of 200 and 400 clients) to check the harness; its figures do not measure the targets. The full run loads each
of the API's 12 rows (every public GET and the 304 revalidation) for 5 s per side, not 10: two
minutes and a half instead of five.

Order: the pipeline builds a warehouse (and is timed doing it); the query, API, event-latency
and WebSocket benchmarks run on that warehouse; the platform benchmark starts `cryptoflow up` on
its own embedded services last. A benchmark that fails is reported as such and the others still run.
"""

from __future__ import annotations

import argparse
import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench import api_throughput, event_latency, pipeline, platform, queries, ws_fanout
from bench.procs import PROJECT_ROOT
from bench.report import describe_machine, now, render
from bench.results import BenchReport
from bench.warehouse import services
from cryptoflow.db import PgParts, drop_database

DEFAULT_OUTPUT = PROJECT_ROOT / "docs" / "benchmarks.md"


def _attempt(
    name: str, bench: Callable[[], BenchReport], reports: list[BenchReport], failures: list[str]
) -> None:
    print(f"-- {name} …", flush=True)
    started = time.monotonic()
    try:
        report = bench()
    except Exception as exc:
        traceback.print_exc()
        failures.append(f"{name}: {type(exc).__name__}: {str(exc)[:300]}")
        return
    report.details.append(f"(this benchmark took {time.monotonic() - started:.0f} s)")
    report.print()
    reports.append(report)


FULL = {"api_s": 5.0, "events": 50, "ws_clients": 1000, "ws_s": 30.0, "idle_s": 15.0}
QUICK = {"api_s": 2.0, "events": 10, "ws_clients": 200, "ws_s": 5.0, "idle_s": 3.0}


def run_all(output: Path, *, quick: bool = False) -> bool:
    size = QUICK if quick else FULL
    started_at, started = now(), time.monotonic()
    load_before = os.getloadavg()
    reports: list[BenchReport] = []
    failures: list[str] = []
    with services() as (pg_url, redis_url):
        machine = describe_machine(pg_url, redis_url)
        print("-- pipeline …", flush=True)
        try:
            pipeline_report, dbname = pipeline.run(pg_server_url=pg_url)
        except Exception as exc:
            traceback.print_exc()
            failures.append(f"pipeline: {type(exc).__name__}: {str(exc)[:300]}")
        else:
            pipeline_report.print()
            reports.append(pipeline_report)
            warehouse = PgParts.parse(pg_url).with_dbname(dbname).url()
            try:
                _attempt(
                    "warehouse queries",
                    lambda: queries.run(database_url=warehouse, redis_url=redis_url),
                    reports,
                    failures,
                )
                _attempt(
                    "API throughput",
                    lambda: api_throughput.run(
                        database_url=warehouse, redis_url=redis_url, duration_s=size["api_s"]
                    ),
                    reports,
                    failures,
                )
                _attempt(
                    "event latency",
                    lambda: event_latency.run(
                        database_url=warehouse, redis_url=redis_url, events=int(size["events"])
                    ),
                    reports,
                    failures,
                )
                _attempt(
                    "WebSocket fan-out",
                    lambda: ws_fanout.run(
                        database_url=warehouse,
                        redis_url=redis_url,
                        clients=int(size["ws_clients"]),
                        duration_s=size["ws_s"],
                    ),
                    reports,
                    failures,
                )
                _attempt(
                    "WebSocket fan-out ceiling",
                    lambda: ws_fanout.ceiling(
                        database_url=warehouse,
                        redis_url=redis_url,
                        counts=(200, 400) if quick else ws_fanout.CEILING_COUNTS,
                        duration_s=3.0 if quick else 10.0,
                    ),
                    reports,
                    failures,
                )
            finally:
                drop_database(pg_url, dbname)
        _attempt("platform", lambda: platform.run(idle_s=size["idle_s"]), reports, failures)
    elapsed = time.monotonic() - started
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        render(
            reports,
            machine=machine,
            started=started_at,
            elapsed_s=elapsed,
            load_before=load_before,
            load_after=os.getloadavg(),
            failures=failures,
        )
    )
    print(f"\nwrote {output} ({elapsed / 60:.1f} min)")
    for failure in failures:
        print(f"FAILED: {failure}")
    return not failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--quick", action="store_true", help="short measurements, harness check")
    args = parser.parse_args()
    raise SystemExit(0 if run_all(args.output, quick=args.quick) else 1)


if __name__ == "__main__":
    main()
