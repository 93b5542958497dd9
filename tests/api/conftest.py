"""API fixtures: the real app (lifespan included) on a test's own database and Redis namespace."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from cryptoflow.settings import Settings

Headers = dict[str, str]


def make_settings(database_url: str, redis_url: str, redis_namespace: str, **extra) -> Settings:
    """Settings for one test; the hot cache re-checks the warehouse on every request."""
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        redis_namespace=redis_namespace,
        api_cache_check_s=0,
        **extra,
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
