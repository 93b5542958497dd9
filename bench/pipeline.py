"""Pipeline (docs/targets.md): the first full materialization (50 coins x 365 days: dlt, dbt
build, checks) and one 10-minute tick, timed per stage, on the simulator; dlt's rows/s against a
plain PostgreSQL `COPY` of the same rows in the same run.

    python -m bench.pipeline [--keep]

Both runs execute the code location's own jobs in process (`everything_job`, the first run
`cryptoflow up` launches, then `ingest_job`), so the times are the runs' own, without the run
worker's start-up; `bench.platform` times a tick launched through the running Dagster. The
simulator runs as its own process (`cryptoflow sim`), as a remote CoinGecko would.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import sqlalchemy as sa

from bench.procs import VENV_BIN, Server, running
from bench.results import BenchReport
from bench.warehouse import scratch_database_name, services
from cryptoflow.coingecko import API_PATH, PING
from cryptoflow.db import create_database, drop_database, make_engine
from cryptoflow.environ import environ_overrides
from cryptoflow.services import free_port
from cryptoflow_cli.supervisor import http_ok
from cryptoflow_cli.up import FIRST_RUN_JOB
from support.warehouse import prepare_database

TICK = timedelta(minutes=10)
TARGET_TICK_SQL_S = 2.0
TARGET_TICK_S = 20.0
DBT_FINISHED = re.compile(r"Finished running .* in .*\(([\d.]+)s\)\.")
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
# dlt's history tables and their data columns (dlt adds _dlt_load_id and _dlt_id)
COPIED_TABLES = ("market_chart", "ohlc")


@dataclass
class RunTimes:
    """What one Dagster run spent where, from its own event log."""

    wall_s: float
    steps_s: dict[str, float] = field(default_factory=dict)
    dbt_reported_s: float = 0.0  # dbt's "Finished running N nodes in X s": its SQL phase
    dbt_node_sum_s: float = 0.0  # sum of dbt's per-node times (threads overlap them)
    dbt_nodes: int = 0
    dbt_node_s: dict[str, float] = field(default_factory=dict)  # each dbt node's own time
    dlt_load_s: dict[str, float] = field(default_factory=dict)  # dlt's load stage per table


def _seconds(value: Any) -> float:
    return float(getattr(value, "value", value))


def _timestamp(value: Any) -> datetime:
    raw = getattr(value, "value", value)
    return raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))


def execute(job_name: str) -> RunTimes:
    """Run one job of the code location in this process and collect its timings."""
    import dagster as dg

    from orchestration.definitions import defs

    job = defs.resolve_job_def(job_name)
    dbt_output = io.StringIO()  # dagster-dbt echoes dbt's log lines to stdout
    started = time.monotonic()
    try:
        with contextlib.redirect_stdout(dbt_output):
            result = job.execute_in_process(
                run_config=QUIET_LOGS, instance=dg.DagsterInstance.ephemeral()
            )
    except Exception:
        print(dbt_output.getvalue()[-5000:])
        raise
    times = RunTimes(wall_s=time.monotonic() - started)
    times.dbt_reported_s = sum(float(s) for s in DBT_FINISHED.findall(dbt_output.getvalue()))
    for event in result.get_step_success_events():
        assert event.step_key is not None, "a step event names its step"
        times.steps_s[event.step_key] = event.step_success_data.duration_ms / 1000
    materializations = [e.step_materialization_data.materialization for e in result.get_asset_materialization_events()]  # fmt: skip
    evaluations = result.get_asset_check_evaluations()
    nodes = [(m.asset_key.to_user_string(), m.metadata) for m in materializations] + [
        (f"{e.check_name} on {e.asset_key.to_user_string()}", e.metadata) for e in evaluations
    ]
    for node, metadata in nodes:
        if "Execution Duration" in metadata:
            seconds = _seconds(metadata["Execution Duration"])
            times.dbt_node_sum_s += seconds
            times.dbt_nodes += 1
            times.dbt_node_s[node] = times.dbt_node_s.get(node, 0.0) + seconds
    for materialization in materializations:
        metadata = materialization.metadata
        if "finished_at" in metadata and "started_at" in metadata:
            span = _timestamp(metadata["finished_at"]) - _timestamp(metadata["started_at"])
            times.dlt_load_s[materialization.asset_key.path[-1]] = span.total_seconds()
    return times


def copy_reference(database_url: str) -> tuple[int, float]:
    """COPY the rows dlt loaded into `raw.market_chart`/`raw.ohlc` into look-alike tables
    (same columns, types and keys); return (rows, seconds of the COPYs)."""
    engine = make_engine(database_url, poolclass=sa.pool.NullPool)
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    engine.dispose()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("create schema if not exists bench_copy")
        batches: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
        for table in COPIED_TABLES:
            conn.execute(f"create table bench_copy.{table} (like raw.{table} including all)")
            cursor = conn.execute(f"select * from raw.{table}")
            columns = [column.name for column in cursor.description or ()]
            batches[table] = (columns, cursor.fetchall())
        started = time.monotonic()
        with conn.transaction():
            for table, (columns, rows) in batches.items():
                names = ", ".join(f'"{name}"' for name in columns)
                with conn.cursor().copy(f"copy bench_copy.{table} ({names}) from stdin") as copy:
                    for row in rows:
                        copy.write_row(row)
        elapsed = time.monotonic() - started
        conn.execute("drop schema bench_copy cascade")
    return sum(len(rows) for _, rows in batches.values()), elapsed


def _scalar(database_url: str, sql: str) -> Any:
    engine = make_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).scalar()
    finally:
        engine.dispose()


def _stage_rows(report: BenchReport, label: str, times: RunTimes) -> None:
    for step, seconds in sorted(times.steps_s.items(), key=lambda item: -item[1]):
        report.details.append(f"{label}: step `{step}` {seconds:.1f} s")


def run(*, pg_server_url: str) -> tuple[BenchReport, str]:
    """Build a fresh warehouse through the pipeline; return the report and the database's name
    (the caller drops it; `bench.run_all` serves the other benchmarks from it)."""
    report = BenchReport("Pipeline")
    name = scratch_database_name("pipeline")
    url = create_database(pg_server_url, name)
    prepare_database(url)
    start_at = datetime.now(UTC).replace(second=0, microsecond=0)
    try:
        sim_port = free_port()
        sim_url = f"http://127.0.0.1:{sim_port}"
        simulator = Server(
            "simulator",
            [
                str(VENV_BIN / "cryptoflow"),
                "sim",
                "--port",
                str(sim_port),
                "--now",
                start_at.isoformat(),
            ],
        )
        with (
            running(simulator.start()),
            environ_overrides(
                DATABASE_URL=url,
                COINGECKO_BASE_URL=f"{sim_url}{API_PATH}",
                COINGECKO_RATE_LIMIT="100000",
            ),
        ):
            simulator.wait_ready(http_ok(f"{sim_url}{API_PATH}/{PING}"))
            backfill = execute(FIRST_RUN_JOB)
            history_rows = sum(
                int(_scalar(url, f"select count(*) from raw.{table}")) for table in COPIED_TABLES
            )
            copied_rows, copy_s = copy_reference(url)
            mv_before = _scalar(url, "select max(snapshot_at) from marts.mv_latest_market_data")
            tick_at = (start_at + TICK).isoformat()
            httpx.post(
                f"{sim_url}/_sim/clock", json={"now": tick_at}, timeout=10
            ).raise_for_status()
            tick = execute("ingest_job")
            mv_after = _scalar(url, "select max(snapshot_at) from marts.mv_latest_market_data")
            # the facts the tick merged: every run stamps its own `merged_at`
            merged = int(
                _scalar(
                    url,
                    "select count(*) from marts.fact_market_data "
                    "where merged_at = (select max(merged_at) from marts.fact_market_data)",
                )
            )
    except BaseException:
        drop_database(pg_server_url, name)
        raise

    dlt_history_s = backfill.steps_s.get("coingecko_history", float("nan"))
    # both tables are in one load package: one span
    dlt_history_load_s = max(backfill.dlt_load_s.get(table, 0.0) for table in COPIED_TABLES)
    report.add("backfill 50 coins x 365 days, whole run", backfill.wall_s, "s")
    for what, dlt_s in (
        ("backfill: dlt history extract+normalize+load", dlt_history_s),
        ("backfill: dlt load stage alone", dlt_history_load_s),
    ):
        report.add(
            what,
            history_rows / dlt_s,
            "rows/s",
            reference=copied_rows / copy_s,
            reference_what="PostgreSQL COPY of the same rows",
        )
    backfill_dbt = backfill.steps_s.get("warehouse_dbt_assets", float("nan"))
    report.add(
        "backfill: dbt build (step wall)",
        backfill_dbt,
        "s",
        reference=backfill.dbt_reported_s,
        reference_what=f"its SQL phase as dbt reports it, {backfill.dbt_nodes} nodes",
    )
    report.add(
        "tick: warehouse SQL as dbt reports it",
        tick.dbt_reported_s,
        "s",
        target=f"< {TARGET_TICK_SQL_S:.0f} s",
        met=tick.dbt_reported_s < TARGET_TICK_SQL_S,
        note=(
            f"{tick.dbt_nodes} dbt nodes (models, seed and their tests) whose own times sum "
            f"to {tick.dbt_node_sum_s:.1f} s on dbt's threads; the tick merged {merged:,} facts "
            f"of the {history_rows:,} history rows loaded seconds before it (its own snapshot only)"
        ),
    )
    tick_dbt = tick.steps_s.get("warehouse_dbt_assets", float("nan"))
    report.add(
        "tick: dbt step wall (start-up + parse + SQL)",
        tick_dbt,
        "s",
        reference=tick.dbt_reported_s,
        reference_what="its SQL phase",
    )
    refreshed = mv_after is not None and mv_before is not None and mv_after > mv_before
    report.add(
        "tick: ingest_job in process, start → MV refreshed",
        tick.wall_s,
        "s",
        target=f"< {TARGET_TICK_S:.0f} s",
        met=refreshed and tick.wall_s < TARGET_TICK_S,
    )
    report.details.append(
        f"Rows: {history_rows} history rows (market_chart + ohlc); COPY of the same rows "
        f"{copy_s:.2f} s; MV snapshot {mv_before} → {mv_after} ({'refreshed' if refreshed else 'NOT refreshed'})."
    )
    report.details.append(
        f"dbt nodes: backfill {backfill.dbt_nodes} (node times sum {backfill.dbt_node_sum_s:.1f} s), "
        f"tick {tick.dbt_nodes} (sum {tick.dbt_node_sum_s:.1f} s); dbt runs them on its threads."
    )
    _stage_rows(report, "backfill", backfill)
    _stage_rows(report, "tick", tick)
    slowest = sorted(tick.dbt_node_s.items(), key=lambda item: -item[1])[:8]
    report.details.append(
        "tick: slowest dbt nodes "
        + ", ".join(f"{node} {seconds:.2f} s" for node, seconds in slowest)
    )
    return report, name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", action="store_true", help="keep the database it built")
    args = parser.parse_args()
    with services() as (pg_url, _):
        report, name = run(pg_server_url=pg_url)
        report.print()
        if args.keep:
            print(f"kept database {name}")
        else:
            drop_database(pg_url, name)


if __name__ == "__main__":
    main()
