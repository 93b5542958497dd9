"""Watchlist: add (idempotent), list, remove; each user sees only their own."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import SqlRunner, new_email, register

WATCHLIST = "/api/v1/watchlist"


def test_add_list_remove(warehouse_client: TestClient, sql: SqlRunner) -> None:
    alice = register(warehouse_client, new_email())
    first = warehouse_client.post(f"{WATCHLIST}/bitcoin", headers=alice)
    assert first.status_code == 201
    assert first.json()["coin_id"] == "bitcoin"
    again = warehouse_client.post(f"{WATCHLIST}/bitcoin", headers=alice)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert warehouse_client.post(f"{WATCHLIST}/solana", headers=alice).status_code == 201
    listed = warehouse_client.get(WATCHLIST, headers=alice)
    assert listed.status_code == 200
    assert [entry["coin_id"] for entry in listed.json()["data"]] == ["bitcoin", "solana"]
    assert listed.json()["count"] == 2
    user_id = warehouse_client.get("/api/v1/auth/me", headers=alice).json()["id"]
    stored = sql("select coin_id from app.user_watchlist where user_id = :u order by id", u=user_id)
    assert [row["coin_id"] for row in stored] == ["bitcoin", "solana"]
    removed = warehouse_client.delete(f"{WATCHLIST}/bitcoin", headers=alice)
    assert removed.status_code == 200
    assert removed.json() == {"message": "removed from watchlist"}
    gone = warehouse_client.delete(f"{WATCHLIST}/bitcoin", headers=alice)
    assert gone.status_code == 404
    assert gone.json() == {"detail": "coin 'bitcoin' is not on your watchlist"}
    assert warehouse_client.get(WATCHLIST, headers=alice).json()["count"] == 1


def test_unknown_coin_is_404(warehouse_client: TestClient) -> None:
    alice = register(warehouse_client, new_email())
    response = warehouse_client.post(f"{WATCHLIST}/no-such-coin", headers=alice)
    assert response.status_code == 404
    assert response.json() == {"detail": "coin 'no-such-coin' not found"}
    assert warehouse_client.get(WATCHLIST, headers=alice).json() == {"data": [], "count": 0}


def test_isolation_between_users(warehouse_client: TestClient) -> None:
    alice = register(warehouse_client, new_email())
    bob = register(warehouse_client, new_email())
    warehouse_client.post(f"{WATCHLIST}/ethereum", headers=alice)
    assert warehouse_client.get(WATCHLIST, headers=bob).json() == {"data": [], "count": 0}
    assert warehouse_client.delete(f"{WATCHLIST}/ethereum", headers=bob).status_code == 404
    alices = warehouse_client.get(WATCHLIST, headers=alice).json()
    assert [entry["coin_id"] for entry in alices["data"]] == ["ethereum"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", WATCHLIST), ("POST", f"{WATCHLIST}/bitcoin"), ("DELETE", f"{WATCHLIST}/bitcoin")],
)
def test_watchlist_needs_a_token(warehouse_client: TestClient, method: str, path: str) -> None:
    assert warehouse_client.request(method, path).status_code == 401
