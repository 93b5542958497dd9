"""Fixtures of the reliability tests: servers of their own that they may stop and start."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.migrate import upgrade as migrate_app_schema
from cryptoflow.db import PgParts, create_database, create_schemas, drop_database
from cryptoflow.services import EmbeddedPostgres, EmbeddedRedis, free_port


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
def own_database_url(own_postgres: EmbeddedPostgres) -> Iterator[str]:
    """A fresh database on `own_postgres` with the platform's schemas and `app` tables."""
    server_url = PgParts.parse(own_postgres.url).url(dbname="postgres")
    name = f"cf_rel_{uuid.uuid4().hex[:12]}"
    url = create_database(server_url, name)
    create_schemas(url)
    migrate_app_schema(url)
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
