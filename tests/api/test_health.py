"""`/healthz` answers while the process is up; `/readyz` only when PostgreSQL and Redis answer."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.main import create_app
from cryptoflow.db import PgParts
from cryptoflow.services import free_port
from tests.api.conftest import make_settings


def test_healthz_and_readyz(client: TestClient) -> None:
    live = client.get("/healthz")
    assert live.status_code == 200
    assert live.json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "redis": "ok"}


def test_readyz_is_503_with_a_message_when_a_store_is_unreachable(
    database_url: str, redis_url: str, redis_namespace: str
) -> None:
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    dead_database = PgParts.parse(database_url).with_dbname("cf_no_such_database").url()
    cases = {
        "redis": make_settings(database_url, dead_redis, redis_namespace),
        "database": make_settings(dead_database, redis_url, redis_namespace),
    }
    for down, settings in cases.items():
        with TestClient(create_app(settings)) as client:
            assert client.get("/healthz").status_code == 200
            response = client.get("/readyz")
            assert response.status_code == 503
            body = response.json()
            assert body["detail"] == f"not ready: {down} unreachable"
            assert body[down] == "unreachable"
            assert {"database", "redis"} - {down} <= {k for k, v in body.items() if v == "ok"}
