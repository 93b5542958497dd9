"""Hot endpoints answered again from the bytes of their first 200 (SnapshotReplayMiddleware)."""

from __future__ import annotations

import time

from fastapi import FastAPI

from tests.api.conftest import sql_runner
from tests.api.test_market import _bitcoin_price, _serve, add_snapshot

COINS = "/api/v1/coins"


def test_a_repeated_get_gets_the_same_bytes_and_headers(
    warehouse_db: str, redis_url: str, redis_namespace: str
) -> None:
    with _serve(warehouse_db, redis_url, redis_namespace, check_s=3600) as client:
        first = client.get(COINS, params={"per_page": 5})
        again = client.get(COINS, params={"per_page": 5})  # the first one checked the snapshot
        assert isinstance(client.app, FastAPI)
        kept = client.app.state.cache.fresh_reply(("replay", COINS, b"per_page=5"))
        replayed = client.get(COINS, params={"per_page": 5})
        other = client.get(COINS, params={"per_page": 6})
    assert first.status_code == again.status_code == replayed.status_code == 200
    assert kept is not None and kept[1] == first.content
    assert replayed.content == again.content == first.content
    assert replayed.headers == first.headers
    assert other.status_code == 200
    assert len(other.json()["data"]) == 6  # another query string is its own entry


def test_bad_queries_are_validated_every_time(
    warehouse_db: str, redis_url: str, redis_namespace: str
) -> None:
    with _serve(warehouse_db, redis_url, redis_namespace, check_s=3600) as client:
        for _ in range(2):
            response = client.get(COINS, params={"sort": "no_such_column"})
            assert response.status_code == 422


def test_cross_origin_requests_still_get_cors_headers(
    warehouse_db: str, redis_url: str, redis_namespace: str
) -> None:
    origin = {"Origin": "http://localhost:8000"}
    with _serve(warehouse_db, redis_url, redis_namespace, check_s=3600) as client:
        client.get(COINS)  # a same-origin answer is kept for replay
        response = client.get(COINS, headers=origin)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:8000"


def test_replies_go_with_the_snapshot(
    warehouse_db: str, redis_url: str, redis_namespace: str
) -> None:
    with _serve(warehouse_db, redis_url, redis_namespace, check_s=0.2) as client:
        before = _bitcoin_price(client)
        assert _bitcoin_price(client) == before  # replayed
        new_price = add_snapshot(sql_runner(warehouse_db), coin_id="bitcoin", price_factor=2.0)
        deadline = time.monotonic() + 10
        while _bitcoin_price(client) != new_price:
            assert time.monotonic() < deadline, "the replay outlived the snapshot"
            time.sleep(0.05)
