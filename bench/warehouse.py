"""Where the benchmarks run: the machine's PostgreSQL and Redis (embedded ones when none answers),
and a warehouse database filled by the real pipeline (dlt → dbt) from the market simulator."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from cryptoflow.db import drop_database
from support.servers import LOCAL_PG_SERVER_URL, LOCAL_REDIS_URL, postgres_server, redis_server
from support.warehouse import new_warehouse


@contextlib.contextmanager
def services() -> Iterator[tuple[str, str]]:
    """(PostgreSQL server URL, Redis URL): `BENCH_PG_SERVER_URL`/`BENCH_REDIS_URL`, the local
    servers, or embedded ones started (and stopped) here."""
    pg_url = os.environ.get("BENCH_PG_SERVER_URL", LOCAL_PG_SERVER_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", LOCAL_REDIS_URL)
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-svc-")))
        yield (
            stack.enter_context(postgres_server(pg_url, scratch)),
            stack.enter_context(redis_server(redis_url, scratch)),
        )


def scratch_database_name(purpose: str) -> str:
    return f"cf_bench_{purpose}_{uuid.uuid4().hex[:8]}"


@contextlib.contextmanager
def bench_database(database_url: str | None = None) -> Iterator[tuple[str, str]]:
    """(warehouse URL, Redis URL): `database_url` as given, else a database built for this run
    by the tests' recipe (`support.warehouse`: the real pipeline on the simulator), dropped
    afterwards."""
    with services() as (pg_url, redis_url):
        if database_url:
            yield database_url, redis_url
            return
        name = scratch_database_name("warehouse")
        try:
            yield new_warehouse(pg_url, name).url, redis_url
        finally:
            drop_database(pg_url, name)
