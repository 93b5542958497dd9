"""Failures answer JSON `{"detail": ...}` with a clear message: never a bare 500 or HTML."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.main import create_app
from cryptoflow.db import PgParts
from tests.api.conftest import make_settings


def test_missing_warehouse_is_503_with_a_hint(client: TestClient) -> None:
    for path in ("/api/v1/coins", "/api/v1/market/overview", "/api/v1/coins/bitcoin"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert "the warehouse is not built yet" in response.json()["detail"]


def test_unreachable_database_is_503(
    database_url: str, redis_url: str, redis_namespace: str
) -> None:
    dead = PgParts.parse(database_url).with_dbname("cf_no_such_database").url()
    with TestClient(create_app(make_settings(dead, redis_url, redis_namespace))) as client:
        for path in ("/api/v1/coins", "/api/v1/pipeline/runs"):
            response = client.get(path)
            assert response.status_code == 503, path
            assert response.json() == {"detail": "the database is unavailable, retry soon"}


def test_unknown_api_paths_and_methods_are_json(client: TestClient) -> None:
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["detail"]
    wrong_method = client.delete("/api/v1/coins")
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {"detail": "Method Not Allowed"}


def test_cors_allows_the_configured_origins(
    database_url: str, redis_url: str, redis_namespace: str
) -> None:
    settings = make_settings(
        database_url, redis_url, redis_namespace, cors_origins=["http://dash.example"]
    )
    with TestClient(create_app(settings)) as client:
        allowed = client.options(
            "/api/v1/auth/login",
            headers={"Origin": "http://dash.example", "Access-Control-Request-Method": "POST"},
        )
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "http://dash.example"
        refused = client.options(
            "/api/v1/auth/login",
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in refused.headers


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    expected = {
        "/api/v1/coins": {"get"},
        "/api/v1/coins/sparklines": {"get"},
        "/api/v1/coins/{coin_id}": {"get"},
        "/api/v1/coins/{coin_id}/history": {"get"},
        "/api/v1/coins/{coin_id}/ohlcv": {"get"},
        "/api/v1/coins/{coin_id}/analytics": {"get"},
        "/api/v1/market/overview": {"get"},
        "/api/v1/analytics/correlation": {"get"},
        "/api/v1/analytics/volatility": {"get"},
        "/api/v1/pipeline/runs": {"get"},
        "/api/v1/pipeline/health": {"get"},
        "/api/v1/quality/checks": {"get"},
        "/api/v1/quality/summary": {"get"},
        "/api/v1/status": {"get"},
        "/api/v1/ws/status": {"get"},
        "/api/v1/auth/register": {"post"},
        "/api/v1/auth/login": {"post"},
        "/api/v1/auth/me": {"get"},
        "/api/v1/portfolio": {"get"},
        "/api/v1/portfolio/holdings": {"get", "post"},
        "/api/v1/portfolio/holdings/{holding_id}": {"put", "delete"},
        "/api/v1/portfolio/performance": {"get"},
        "/api/v1/watchlist": {"get"},
        "/api/v1/watchlist/{coin_id}": {"post", "delete"},
        "/healthz": {"get"},
        "/readyz": {"get"},
    }
    assert {path: set(methods) for path, methods in paths.items()} == expected
    for path, methods in paths.items():
        for method, operation in methods.items():
            assert operation.get("description") or operation.get("summary"), (method, path)
    login = paths["/api/v1/auth/login"]["post"]["requestBody"]["content"]
    assert set(login) == {"application/json", "application/x-www-form-urlencoded"}
    assert client.get("/docs").status_code == 200
