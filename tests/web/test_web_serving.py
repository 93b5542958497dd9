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
    assert response.text == "console.log('app')"
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_real_files_at_the_root_are_served(client: TestClient) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.text == "User-agent: *"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/assets/missing.js", "Not Found"),  # the hashed-assets mount's own 404
        ("/favicon.ico", "no file /favicon.ico"),
        ("/coins/bitcoin/chart.png", "no file /coins/bitcoin/chart.png"),
        ("/styles.css", "no file /styles.css"),
    ],
)
def test_missing_files_are_404_not_html(client: TestClient, path: str, detail: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": detail}


@pytest.mark.parametrize("path", ["/api", "/api/v1/nope", "/api/v2/coins"])
def test_unknown_api_paths_are_json_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": f"no API route {path}"}


def test_api_routes_win_over_the_catch_all(client: TestClient) -> None:
    response = client.get("/api/v1/coins")
    assert response.status_code == 200
    assert response.json() == {"data": ["bitcoin"]}


def test_wrong_method_on_an_api_route_stays_405(client: TestClient) -> None:
    response = client.post("/api/v1/coins")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}
    assert response.headers["allow"] == "GET"


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        # The client resolves dot segments itself: the server is asked for /secret.txt.
        ("/../secret.txt", "no file /secret.txt"),
        ("/assets/../../secret.txt", "no file /secret.txt"),
        # Encoded, the dot segments reach the server, which must not leave dist for them.
        ("/%2e%2e/secret.txt", "no file /../secret.txt"),
    ],
)
def test_paths_cannot_escape_dist(client: TestClient, path: str, detail: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": detail}
    assert "outside dist" not in response.text


def test_unbuilt_app_says_how_to_build_it(tmp_path: Path) -> None:
    app = FastAPI()
    mount_web(app, tmp_path / "dist")
    response = TestClient(app).get("/market")
    assert response.status_code == 503
    assert response.json() == {
        "detail": "the web app is not built: run `cd web && npm ci && npm run build`"
    }
