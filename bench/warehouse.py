"""Where the benchmarks run: the machine's PostgreSQL and Redis (embedded ones when none answers),
and a warehouse database filled by the real pipeline (dlt → dbt) from the market simulator."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from api.migrate import upgrade as migrate_app_schema
from bench.procs import PROJECT_ROOT
from cryptoflow.db import (
    PgParts,
    create_database,
    create_schemas,
    drop_database,
)
from cryptoflow.services import (
    EmbeddedPostgres,
    EmbeddedRedis,
    free_port,
    postgres_answers,
    redis_answers,
)
from cryptoflow.simulator.server import SimConfig, serve_in_thread

DEFAULT_PG_SERVER_URL = "postgresql://postgres:@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


@contextlib.contextmanager
def services() -> Iterator[tuple[str, str]]:
    """(PostgreSQL server URL, Redis URL): `BENCH_PG_SERVER_URL`/`BENCH_REDIS_URL`, the local
    servers, or embedded ones started (and stopped) here."""
    pg_url = os.environ.get("BENCH_PG_SERVER_URL", DEFAULT_PG_SERVER_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-svc-")))
        if not postgres_answers(pg_url):
            pg = EmbeddedPostgres(scratch / "pg")
            pg_url = PgParts.parse(pg.start()).url(dbname="postgres")
            stack.callback(pg.stop)
        if not redis_answers(redis_url):
            rds = EmbeddedRedis(scratch / "redis", port=free_port())
            redis_url = rds.start()
            stack.callback(rds.stop)
        yield pg_url, redis_url


def scratch_database_name(purpose: str) -> str:
    return f"cf_bench_{purpose}_{uuid.uuid4().hex[:8]}"


@contextlib.contextmanager
def bench_database(database_url: str | None = None) -> Iterator[tuple[str, str]]:
    """(warehouse URL, Redis URL): `database_url` as given, else a database built for this run
    by the real pipeline on the simulator, dropped afterwards."""
    with services() as (pg_url, redis_url):
        if database_url:
            yield database_url, redis_url
            return
        name = scratch_database_name("warehouse")
        try:
            yield build_warehouse(pg_url, name), redis_url
        finally:
            drop_database(pg_url, name)


def _test_fixtures() -> ModuleType:
    """`tests/conftest.py`, whose `build_warehouse` is the one recipe of a warehouse built by
    the real pipeline (the tests' template database): imported, not copied."""
    spec = importlib.util.spec_from_file_location(
        "cryptoflow_test_fixtures", PROJECT_ROOT / "tests" / "conftest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_warehouse(pg_server_url: str, name: str) -> str:
    """Database `name`: schemas, app tables, then the tests' pipeline recipe on the simulator."""
    url = create_database(pg_server_url, name)
    create_schemas(url)
    migrate_app_schema(url)
    with serve_in_thread(SimConfig(seed=42)) as sim:
        result, _ = _test_fixtures().build_warehouse(url, sim)
    if not result.success:
        failures = [event.message for event in result.all_events if event.is_failure]
        raise RuntimeError(f"building the warehouse failed: {failures}")
    return url
