"""The dashboard's static serving: deep links fall back to index.html, nothing else does."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.web import mount_web

INDEX = "<!doctype html><title>CryptoFlow</title>"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('app')")
    (tmp_path / "robots.txt").write_text("User-agent: *")
    (tmp_path.parent / "secret.txt").write_text("outside dist")
    return tmp_path


@pytest.fixture
def client(dist: Path) -> TestClient:
    app = FastAPI()

    @app.get("/api/v1/coins")
    def read_coins() -> dict[str, list[str]]:
        return {"data": ["bitcoin"]}

    mount_web(app, dist)
    return TestClient(app)


@pytest.mark.parametrize("path", ["/", "/market", "/coins/bitcoin", "/compare?ids=bitcoin"])
def test_pages_and_deep_links_get_the_app(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"


def test_hashed_assets_are_served_and_cached_for_good(client: TestClient) -> None:
    response = client.get("/assets/index-abc123.js")
    assert response.status_code == 200
    assert "console.log" in response.text
    assert "immutable" in response.headers["cache-control"]


def test_real_files_at_the_root_are_served(client: TestClient) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.text == "User-agent: *"


@pytest.mark.parametrize(
    "path", ["/assets/missing.js", "/favicon.ico", "/coins/bitcoin/chart.png", "/styles.css"]
)
def test_missing_files_are_404_not_html(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "CryptoFlow" not in response.text


@pytest.mark.parametrize("path", ["/api", "/api/v1/nope", "/api/v2/coins"])
def test_unknown_api_paths_are_json_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "no API route" in response.json()["detail"]


def test_api_routes_win_over_the_catch_all(client: TestClient) -> None:
    response = client.get("/api/v1/coins")
    assert response.status_code == 200
    assert response.json() == {"data": ["bitcoin"]}


def test_wrong_method_on_an_api_route_stays_405(client: TestClient) -> None:
    assert client.post("/api/v1/coins").status_code == 405


def test_paths_cannot_escape_dist(client: TestClient) -> None:
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"):
        response = client.get(path)
        assert "outside dist" not in response.text


def test_unbuilt_app_says_how_to_build_it(tmp_path: Path) -> None:
    app = FastAPI()
    mount_web(app, tmp_path / "dist")
    response = TestClient(app).get("/market")
    assert response.status_code == 503
    assert "npm run build" in response.json()["detail"]
