"""Fixtures of the security tests: the real API on a clone of the warehouse template."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from cryptoflow.db import drop_database
from cryptoflow.settings import Settings
from support.warehouse import BuiltWarehouse
from tests.api.conftest import make_settings
from tests.conftest import new_database


@pytest.fixture(scope="module")
def module_warehouse_url(pg_server_url: str, warehouse_template: BuiltWarehouse) -> Iterator[str]:
    """One clone of the warehouse template for a whole module (an API process outlives a test)."""
    name, url = new_database(pg_server_url, template=warehouse_template.dbname)
    try:
        yield url
    finally:
        drop_database(pg_server_url, name)


@pytest.fixture
def attack_settings(warehouse_db: str, redis_url: str, redis_namespace: str) -> Settings:
    return make_settings(warehouse_db, redis_url, redis_namespace, login_max_failures=5)


@pytest.fixture
def client(attack_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(attack_settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def module_redis_namespace() -> str:
    return f"cftest-{uuid.uuid4().hex[:10]}"
