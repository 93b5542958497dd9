"""API fixtures: the real app (lifespan included) on a test's own database and Redis namespace."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.main import create_app
from cryptoflow.db import drop_database, make_engine
from cryptoflow.settings import Settings
from orchestration.data_versions import record_version as record_data_version
from support.warehouse import BuiltWarehouse
from tests.conftest import new_database

Headers = dict[str, str]


def make_settings(database_url: str, redis_url: str, redis_namespace: str, **extra) -> Settings:
    """Settings for one test; by default the data versions are re-read on every request."""
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        redis_namespace=redis_namespace,
        **({"api_versions_poll_s": 0} | extra),
    )


@pytest.fixture
def api_settings(database_url: str, redis_url: str, redis_namespace: str) -> Settings:
    return make_settings(database_url, redis_url, redis_namespace)


@pytest.fixture
def client(api_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings)) as test_client:
        yield test_client


def register(client: TestClient, email: str, password: str = "correct-horse") -> Headers:
    """Register `email`, log in, and return its bearer headers."""
    response = client.post("/api/v1/auth/register", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def user_headers(client: TestClient) -> Callable[[str], Headers]:
    return lambda email: register(client, email)


@pytest.fixture(scope="module")
def warehouse_url(pg_server_url: str, warehouse_template: BuiltWarehouse) -> Iterator[str]:
    """One clone of the warehouse per module: its tests only read the warehouse, and write
    only rows of users they registered themselves."""
    name, url = new_database(pg_server_url, template=warehouse_template.dbname)
    try:
        yield url
    finally:
        drop_database(pg_server_url, name)


@pytest.fixture(scope="module")
def warehouse_client(warehouse_url: str, redis_url: str) -> Iterator[TestClient]:
    settings = make_settings(warehouse_url, redis_url, f"cftest-{uuid.uuid4().hex[:10]}")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


SqlRunner = Callable[..., list[dict[str, Any]]]


def sql_runner(database_url: str) -> SqlRunner:
    """`run("select ...", name=value)` -> rows as dicts, each call in its own transaction."""

    def run(statement: str, **params: Any) -> list[dict[str, Any]]:
        engine = make_engine(database_url, poolclass=sa.pool.NullPool)
        try:
            with engine.begin() as conn:
                result = conn.execute(sa.text(statement), params)
                return [dict(row) for row in result.mappings()] if result.returns_rows else []
        finally:
            engine.dispose()

    return run


def record_version(database_url: str, dataset: str) -> dict[str, Any]:
    """Record a new version of `dataset` as the run that just changed it would."""
    engine = make_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            return record_data_version(
                conn, dataset=dataset, run_id=f"test-{uuid.uuid4().hex}", job_name="test_job"
            )
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def sql(warehouse_url: str) -> SqlRunner:
    """Queries straight against the module's warehouse clone."""
    return sql_runner(warehouse_url)


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:8]}@example.com"
