"""The PostgreSQL and Redis tests and benchmarks run on: the machine's when they answer, else
embedded ones (`cryptoflow.services`, what `cryptoflow up` starts on a fresh machine).

One rule for `tests/conftest.py` (`TEST_DATABASE_URL`, `TEST_REDIS_URL`) and `bench/`
(`BENCH_PG_SERVER_URL`, `BENCH_REDIS_URL`); it lives in `support/`, the tests' and benchmarks'
own package that the wheel does not ship.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from cryptoflow.db import PgParts
from cryptoflow.services import (
    EmbeddedPostgres,
    EmbeddedRedis,
    free_port,
    postgres_answers,
    redis_answers,
)

LOCAL_PG_SERVER_URL = "postgresql://postgres:@127.0.0.1:5432/postgres"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"


@contextlib.contextmanager
def postgres_server(url: str, scratch: Path) -> Iterator[str]:
    """`url` when a PostgreSQL answers there, else the URL (database `postgres`) of an embedded
    one with its data in `scratch`, stopped on the way out."""
    if postgres_answers(url):
        yield url
        return
    embedded = EmbeddedPostgres(scratch / "pg")
    try:
        yield PgParts.parse(embedded.start()).url(dbname="postgres")
    finally:
        embedded.stop()


@contextlib.contextmanager
def redis_server(url: str, scratch: Path) -> Iterator[str]:
    """`url` when a Redis answers there, else the URL of an embedded one on a free port with its
    data in `scratch`, stopped on the way out."""
    if redis_answers(url):
        yield url
        return
    embedded = EmbeddedRedis(scratch / "redis", port=free_port())
    try:
        yield embedded.start()
    finally:
        embedded.stop()
