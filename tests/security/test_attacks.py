"""Attacks on the API, each refused with a 4xx and the `app` tables checked unchanged afterwards.

tests/api/test_auth.py proves the token checks on `/auth/me`; here every protected endpoint,
reads and writes, meets forged tokens, another user's ids, parallel password guessing,
injection-shaped and oversized input, and foreign origins.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from httpx import Response

from api.core.errors import DATABASE_REFUSED
from cryptoflow.db import make_engine
from cryptoflow.settings import Settings
from tests.api.conftest import register

API = "/api/v1"
APP_TABLES = ("users", "portfolio_holdings", "user_watchlist")
HOLDING = {"coin_id": "bitcoin", "quantity": "0.5", "buy_price_usd": "58000", "notes": "cold"}
Headers = dict[str, str]
# The 401 bodies of api/deps.py and api/core/security.py.
NO_TOKEN = "not authenticated: send `Authorization: Bearer <token>`"
BAD_TOKEN = "could not validate credentials"
EXPIRED = "token expired"
NO_SUCH_USER = "the token's user no longer exists"


def app_rows(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the API's own tables: what an attack must leave as it was."""
    engine = make_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return {
                table: [tuple(row) for row in conn.execute(sa.text(f"select * from app.{table}"))]
                for table in APP_TABLES
            }
    finally:
        engine.dispose()


def holding_of(client: TestClient, headers: Headers) -> int:
    response = client.post(f"{API}/portfolio/holdings", json=HOLDING, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def protected_calls(holding_id: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every operation that needs a signed-in user, with a body it would accept."""
    return [
        ("GET", f"{API}/auth/me", None),
        ("GET", f"{API}/portfolio", None),
        ("GET", f"{API}/portfolio/holdings", None),
        ("POST", f"{API}/portfolio/holdings", HOLDING),
        ("PUT", f"{API}/portfolio/holdings/{holding_id}", {"quantity": "99"}),
        ("DELETE", f"{API}/portfolio/holdings/{holding_id}", None),
        ("GET", f"{API}/portfolio/performance", None),
        ("GET", f"{API}/watchlist", None),
        ("POST", f"{API}/watchlist/ethereum", None),
        ("DELETE", f"{API}/watchlist/bitcoin", None),
    ]


def call(client: TestClient, method: str, path: str, body: object, headers: Headers) -> Response:
    return client.request(method, path, json=body, headers=headers)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


# What each forged token of `forged_tokens` is told: a bad signature, algorithm or shape is never
# told apart from another (no oracle), an expired one says so, a valid one naming no user too.
FORGED_DETAIL = {
    "tampered signature": BAD_TOKEN,
    "other user in payload": BAD_TOKEN,
    "alg none": BAD_TOKEN,
    "expired": EXPIRED,
    "guessed secret": BAD_TOKEN,
    "HS512 with our secret": BAD_TOKEN,
    "sub not a user id": NO_SUCH_USER,
    "empty": BAD_TOKEN,
    "deleted user": NO_SUCH_USER,
}


def forged_tokens(valid: str, *, user_id: int, secret: str) -> dict[str, str]:
    head, payload, signature = valid.split(".")
    later = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return {
        "tampered signature": f"{head}.{payload}.{flipped}",
        "other user in payload": f"{head}.{_b64({'sub': str(user_id + 1), 'exp': later})}.{signature}",
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64({'sub': str(user_id), 'exp': later})}.",
        "expired": jwt.encode(
            {"sub": str(user_id), "exp": datetime.now(UTC) - timedelta(seconds=1)}, secret
        ),
        "guessed secret": jwt.encode(
            {"sub": str(user_id), "exp": later}, "secret-of-a-guess-that-is-long-enough-0123"
        ),
        "HS512 with our secret": jwt.encode(
            {"sub": str(user_id), "exp": later}, secret, algorithm="HS512"
        ),
        "sub not a user id": jwt.encode({"sub": "admin", "exp": later}, secret),
        "empty": "",
    }


def test_forged_expired_and_orphaned_tokens_are_401_everywhere_and_change_nothing(
    client: TestClient, warehouse_db: str, attack_settings: Settings
) -> None:
    alice = register(client, "alice@example.com")
    holding_id = holding_of(client, alice)
    assert client.post(f"{API}/watchlist/bitcoin", headers=alice).status_code == 201
    token = alice["Authorization"].split()[1]
    user_id = client.get(f"{API}/auth/me", headers=alice).json()["id"]
    tokens = forged_tokens(token, user_id=user_id, secret=attack_settings.jwt_secret)
    # A valid token of a user who has since been deleted.
    ghost = register(client, "ghost@example.com")
    engine = make_engine(warehouse_db, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("delete from app.users where email = 'ghost@example.com'"))
    engine.dispose()
    tokens["deleted user"] = ghost["Authorization"].split()[1]

    before = app_rows(warehouse_db)
    assert tokens.keys() == FORGED_DETAIL.keys()
    for name, forged in tokens.items():
        for method, path, body in protected_calls(holding_id):
            response = call(client, method, path, body, {"Authorization": f"Bearer {forged}"})
            assert response.status_code == 401, (name, method, path, response.text)
            assert response.json() == {"detail": FORGED_DETAIL[name]}, (name, method, path)
            assert response.headers["www-authenticate"] == "Bearer"
    for method, path, body in protected_calls(holding_id):
        response = call(client, method, path, body, {})
        assert response.status_code == 401, (method, path)
        assert response.json() == {"detail": NO_TOKEN}, (method, path)
        assert response.headers["www-authenticate"] == "Bearer"
    assert app_rows(warehouse_db) == before
    assert client.get(f"{API}/portfolio/holdings", headers=alice).json()["count"] == 1


def test_another_users_holding_and_watchlist_are_invisible_and_untouchable(
    client: TestClient, warehouse_db: str
) -> None:
    alice = register(client, "alice@example.com")
    mallory = register(client, "mallory@example.com")
    holding_id = holding_of(client, alice)
    assert client.post(f"{API}/watchlist/bitcoin", headers=alice).status_code == 201
    before = app_rows(warehouse_db)

    listed = client.get(f"{API}/portfolio/holdings", headers=mallory)
    assert listed.status_code == 200 and listed.json() == {"data": [], "count": 0}
    assert client.get(f"{API}/portfolio", headers=mallory).json()["holdings_count"] == 0
    assert client.get(f"{API}/watchlist", headers=mallory).json()["count"] == 0
    attempts = {
        "PUT": client.put(
            f"{API}/portfolio/holdings/{holding_id}", json={"quantity": "99"}, headers=mallory
        ),
        "DELETE": client.delete(f"{API}/portfolio/holdings/{holding_id}", headers=mallory),
        "watchlist DELETE": client.delete(f"{API}/watchlist/bitcoin", headers=mallory),
    }
    for name, response in attempts.items():
        assert response.status_code == 404, (name, response.text)
    # Not on Mallory's watchlist, which is all she may learn: not that it is on Alice's.
    assert attempts["watchlist DELETE"].json() == {
        "detail": "coin 'bitcoin' is not on your watchlist"
    }
    # Exactly what a holding id that does not exist gets: no oracle for other users' ids.
    missing = client.put(
        f"{API}/portfolio/holdings/999999", json={"quantity": "1"}, headers=mallory
    )
    assert attempts["PUT"].json() == missing.json() == {"detail": "holding not found"}
    assert app_rows(warehouse_db) == before


def test_parallel_password_guessing_is_capped_at_the_failure_limit(
    client: TestClient, warehouse_db: str, attack_settings: Settings
) -> None:
    register(client, "victim@example.com")
    before = app_rows(warehouse_db)
    guesses = [f"guess-{i:04d}" for i in range(24)] + ["correct-horse"]

    def attempt(password: str) -> Response:
        return client.post(
            f"{API}/auth/login", json={"email": "victim@example.com", "password": password}
        )

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(attempt, guesses))
    statuses = [response.status_code for response in answers]
    limit = attack_settings.login_max_failures
    print(f"\n{len(guesses)} parallel guesses: {statuses.count(401)} checked, "
          f"{statuses.count(429)} refused with 429")  # fmt: skip
    assert set(statuses) <= {401, 429}, statuses  # the right password came too late: refused
    # Each attempt is counted (one atomic INCR) before its password is checked: exactly `limit`
    # are checked, however many arrive at once, and every other one is refused unchecked.
    assert statuses.count(401) == limit, statuses
    assert statuses.count(429) == len(guesses) - limit, statuses
    for response in answers:
        if response.status_code == 401:
            assert response.json() == {"detail": "incorrect email or password"}
            assert response.headers["www-authenticate"] == "Bearer"
        else:
            wait_s = int(response.headers["retry-after"])
            assert 0 < wait_s <= attack_settings.login_lockout_s
            assert response.json() == {"detail": f"too many failed logins; retry in {wait_s} s"}
    late = attempt("correct-horse")
    assert late.status_code == 429
    wait_s = int(late.headers["retry-after"])
    assert 0 < wait_s <= attack_settings.login_lockout_s
    assert late.json() == {"detail": f"too many failed logins; retry in {wait_s} s"}
    assert app_rows(warehouse_db) == before


SEARCH_PROBES = ["' OR 1=1 --", "%", "_", "\\", "bitcoin'; drop table app.users; --", "%' --"]


@pytest.mark.parametrize("term", SEARCH_PROBES)
def test_sql_shaped_search_is_matched_literally(
    client: TestClient, warehouse_db: str, term: str
) -> None:
    before = app_rows(warehouse_db)
    response = client.get(f"{API}/coins", params={"search": term})
    assert response.status_code == 200
    body = response.json()
    assert (body["data"], body["count"]) == ([], 0)  # no coin's id, symbol or name has it
    assert app_rows(warehouse_db) == before


# (path, query, where the refusal points: the parameter, or for text PostgreSQL cannot hold, a
# NUL character, the database's refusal of the request as a whole)
REFUSED_BY_THE_DATABASE = ["request"]
BAD_QUERIES: list[tuple[str, dict[str, str], list[str]]] = [
    ("/coins", {"sort": "market_cap_rank; drop table app.users"}, ["query", "sort"]),
    ("/coins", {"sort": "(select 1)"}, ["query", "sort"]),
    ("/coins", {"order": "asc; delete from app.users"}, ["query", "order"]),
    ("/coins", {"search": "b" * 101}, ["query", "search"]),
    ("/coins", {"search": "bit\x00coin"}, REFUSED_BY_THE_DATABASE),
    ("/coins", {"page": "0"}, ["query", "page"]),
    ("/coins", {"per_page": "100000"}, ["query", "per_page"]),
    (
        "/coins/sparklines",
        {"ids": ",".join(f"coin-{i}" for i in range(101))},
        ["query", "ids"],
    ),
    (
        "/analytics/volatility",
        {"sort": "volatility desc, (select pg_sleep(5))"},
        ["query", "sort"],
    ),
    ("/analytics/correlation", {"ids": "bitcoin,\x00"}, REFUSED_BY_THE_DATABASE),
    ("/pipeline/runs", {"status": "x" * 33}, ["query", "status"]),
    ("/coins/bitcoin/history", {"days": "1; drop table app.users"}, ["query", "days"]),
]


@pytest.mark.parametrize(("path", "params", "loc"), BAD_QUERIES)
def test_injection_shaped_and_oversized_queries_are_422(
    client: TestClient, warehouse_db: str, path: str, params: dict[str, str], loc: list[str]
) -> None:
    before = app_rows(warehouse_db)
    response = client.get(f"{API}{path}", params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/json"
    # FastAPI's shape, as documented: one error, naming what was refused.
    [error] = response.json()["detail"]
    assert error["loc"] == loc, error
    if loc == REFUSED_BY_THE_DATABASE:
        assert error == {"type": "value_error", "loc": loc, "msg": DATABASE_REFUSED}
    assert app_rows(warehouse_db) == before


def test_bad_bodies_are_refused_and_sql_in_notes_is_stored_as_text(
    client: TestClient, warehouse_db: str
) -> None:
    alice = register(client, "alice@example.com")
    holding_id = holding_of(client, alice)
    before = app_rows(warehouse_db)
    # name -> (the request, its exact refusal: (type, loc) of FastAPI's one 422 error, or a
    # body of our own)
    refused: dict[str, tuple[Callable[[], Response], object]] = {
        "notes of 1,001 characters": (
            lambda: client.post(
                f"{API}/portfolio/holdings", json={**HOLDING, "notes": "n" * 1001}, headers=alice
            ),
            ("string_too_long", ["body", "notes"]),
        ),
        "coin id of 101 characters": (
            lambda: client.post(
                f"{API}/portfolio/holdings", json={**HOLDING, "coin_id": "c" * 101}, headers=alice
            ),
            ("string_too_long", ["body", "coin_id"]),
        ),
        "unknown coin": (
            lambda: client.post(
                f"{API}/portfolio/holdings",
                json={**HOLDING, "coin_id": "x' or '1'='1"},
                headers=alice,
            ),
            {
                "detail": "unknown coin_id \"x' or '1'='1\": not a coin of the warehouse "
                "(see GET /api/v1/coins)"
            },
        ),
        "NUL in notes": (
            lambda: client.put(
                f"{API}/portfolio/holdings/{holding_id}", json={"notes": "a\x00b"}, headers=alice
            ),
            {"detail": [{"type": "value_error", "loc": ["request"], "msg": DATABASE_REFUSED}]},
        ),
        "number as a date": (
            lambda: client.put(
                f"{API}/portfolio/holdings/{holding_id}", json={"bought_at": 0}, headers=alice
            ),
            ("value_error", ["body", "bought_at"]),
        ),
        "negative quantity": (
            lambda: client.put(
                f"{API}/portfolio/holdings/{holding_id}", json={"quantity": "-1"}, headers=alice
            ),
            ("greater_than", ["body", "quantity"]),
        ),
        "21-digit quantity": (
            lambda: client.put(
                f"{API}/portfolio/holdings/{holding_id}", json={"quantity": "1" * 21}, headers=alice
            ),
            ("decimal_whole_digits", ["body", "quantity"]),
        ),
        "body that is not UTF-8 (login)": (
            lambda: client.post(
                f"{API}/auth/login",
                content=b"\xff\xfe",
                headers={"content-type": "application/json"},
            ),
            ("json_invalid", ["body"]),
        ),
        "body that is not UTF-8 (holding)": (
            lambda: client.post(
                f"{API}/portfolio/holdings",
                content=b"\xff\xfe",
                headers={**alice, "content-type": "application/json"},
            ),
            ("json_invalid", ["body", 0]),
        ),
        "password of 129 characters": (
            lambda: client.post(
                f"{API}/auth/login", json={"email": "alice@example.com", "password": "p" * 129}
            ),
            ("string_too_long", ["body", "password"]),
        ),
    }
    for name, (send, expected) in refused.items():
        response = send()
        assert response.status_code == 422, (name, response.status_code, response.text)
        assert response.headers["content-type"] == "application/json", name
        if isinstance(expected, tuple):
            [error] = response.json()["detail"]
            assert (error["type"], error["loc"]) == expected, (name, error)
        else:
            assert response.json() == expected, name
    assert app_rows(warehouse_db) == before

    huge = client.post(
        f"{API}/portfolio/holdings",
        content=b'{"notes": "' + b"x" * 2_000_000 + b'"}',
        headers={**alice, "content-type": "application/json"},
    )
    assert huge.status_code == 413, huge.text
    # Refused by FastAPI's body limit before any handler: plain text, not the JSON of the rest.
    assert (huge.text, huge.headers["content-type"]) == (
        "Content Too Large",
        "text/plain; charset=utf-8",
    )
    assert app_rows(warehouse_db) == before

    sql = "'); delete from app.portfolio_holdings; --"
    stored = client.put(
        f"{API}/portfolio/holdings/{holding_id}", json={"notes": sql}, headers=alice
    )
    assert stored.status_code == 200 and stored.json()["notes"] == sql
    after = app_rows(warehouse_db)
    assert len(after["portfolio_holdings"]) == 1 and after["users"] == before["users"]


def test_cors_answers_only_listed_origins(client: TestClient, attack_settings: Settings) -> None:
    listed = attack_settings.cors_origins[0]
    for origin in ("https://evil.example", "null", f"{listed}.evil.example"):
        preflight = client.options(
            f"{API}/portfolio/holdings",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert preflight.status_code == 400, origin
        assert preflight.text == "Disallowed CORS origin", origin
        assert "access-control-allow-origin" not in preflight.headers
        simple = client.get(f"{API}/coins", headers={"Origin": origin})
        assert "access-control-allow-origin" not in simple.headers, origin
    allowed = client.get(f"{API}/coins", headers={"Origin": listed})
    assert allowed.headers["access-control-allow-origin"] == listed
