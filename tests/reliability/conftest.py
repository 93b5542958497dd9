"""Fixtures of the reliability tests: servers of their own that they may stop and start."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cryptoflow.db import PgParts, create_database, drop_database
from cryptoflow.services import EmbeddedPostgres, EmbeddedRedis, free_port
from tests.reliability.servers import copy_database


@pytest.fixture(scope="session")
def own_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """A PostgreSQL (pgserver, Unix socket) that only these tests use, so they may restart it."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("own") / "pg")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def own_warehouse_url(own_postgres: EmbeddedPostgres, warehouse_db: str) -> Iterator[str]:
    """A copy of the warehouse template on `own_postgres`, in a database of this test's own."""
    server_url = PgParts.parse(own_postgres.url).url(dbname="postgres")
    name = f"cf_rel_{uuid.uuid4().hex[:12]}"
    url = create_database(server_url, name)
    copy_database(warehouse_db, url)
    try:
        yield url
    finally:
        own_postgres.start()  # a test that failed while the server was down must not leak that
        drop_database(server_url, name)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis on a free port that only this test uses, so it may restart it."""
    server = EmbeddedRedis(tmp_path / "redis", port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
