"""`docs/benchmarks.md`: one table of every measured line, the machine it ran on, how busy the
machine was, and under it each benchmark's details (the numbers that explain the table)."""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil
import redis
import sqlalchemy as sa

from bench.results import BenchReport, Result, fmt
from cryptoflow.db import make_engine

HEADER = ["bench", "what", "this project", "reference (same run)", "ratio", "target", "met?"]


@dataclass
class Machine:
    cpu: str
    cores: int
    memory_gb: float
    os: str
    python: str
    postgres: str
    redis: str

    def describe(self) -> str:
        return (
            f"{self.cpu}, {self.cores} cores, {self.memory_gb:.0f} GB RAM; {self.os}; "
            f"Python {self.python}; {self.postgres}; Redis {self.redis}"
        )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.platform()


def describe_machine(pg_server_url: str, redis_url: str) -> Machine:
    engine = make_engine(pg_server_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            postgres = str(conn.execute(sa.text("show server_version")).scalar()).split()[0]
    finally:
        engine.dispose()
    client = redis.Redis.from_url(redis_url)
    try:
        redis_version = str(client.info("server")["redis_version"])
    finally:
        client.close()
    return Machine(
        cpu=_cpu_model(),
        cores=os.cpu_count() or 0,
        memory_gb=psutil.virtual_memory().total / 1024**3,
        os=_os_name(),
        python=sys.version.split()[0],
        postgres=f"PostgreSQL {postgres}",
        redis=redis_version,
    )


def _table(rows: list[list[str]]) -> list[str]:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return [line(HEADER), line(["---"] * len(HEADER)), *(line(row) for row in rows)]


def _miss(result: Result) -> str:
    line = f"- {result.bench}: {result.what} = {fmt(result.value)} {result.unit}, target {result.target}"
    return f"{line}: {result.note}." if result.note else line


def render(
    reports: list[BenchReport],
    *,
    machine: Machine,
    started: datetime,
    elapsed_s: float,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
    failures: list[str],
) -> str:
    results = [result for report in reports for result in report.results]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench.run_all`); every ratio compares two figures "
        "measured side by side in the same run. The targets: [targets.md](targets.md).",
        "",
        f"- **Date**: {started:%Y-%m-%d %H:%M} UTC; the run took {elapsed_s / 60:.1f} min.",
        f"- **Machine**: {machine.describe()}.",
        f"- **Load average** (1/5/15 min) before: {'/'.join(f'{x:.1f}' for x in load_before)}, "
        f"after: {'/'.join(f'{x:.1f}' for x in load_after)} — the cores are shared by servers, "
        "load generators and whatever else runs; absolute figures vary between runs, ratios "
        "less so.",
        "",
        *_table([[r.bench, *r.row()] for r in results]),
        "",
    ]
    missed = [r for r in results if r.met is False]
    lines += ["## Targets missed", ""]
    lines += [_miss(r) for r in missed] or ["None."]
    lines += [f"- FAILED to run: {failure}" for failure in failures]
    for report in reports:
        lines += ["", f"## {report.name}", ""]
        lines += [f"- {detail}" for detail in report.details]
    return "\n".join(lines) + "\n"


def now() -> datetime:
    return datetime.now(UTC)
