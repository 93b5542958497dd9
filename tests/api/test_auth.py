"""Register, login (JSON and OAuth2 form), me, token attacks and the login rate limit."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import redis
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.core.config import UnsafeSettingsError
from api.main import create_app
from cryptoflow.db import make_engine
from cryptoflow.settings import DEFAULT_JWT_SECRET, Environment, Settings
from tests.api.conftest import make_settings, register

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
ME = "/api/v1/auth/me"


def _users(database_url: str) -> list[dict]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("select * from app.users order by id")).mappings().all()
            return [dict(row) for row in rows]
    finally:
        engine.dispose()


def test_register_stores_an_argon2_hash(client: TestClient, database_url: str) -> None:
    response = client.post(
        REGISTER, json={"email": "Ada@Example.com", "password": "correct-horse", "full_name": "Ada"}
    )
    assert response.status_code == 201
    body = response.json()
    [row] = _users(database_url)
    assert body == {
        "id": row["id"],
        "email": "ada@example.com",
        "full_name": "Ada",
        "is_active": True,
        "created_at": body["created_at"],
    }
    assert row["hashed_password"].startswith("$argon2")
    assert "correct-horse" not in row["hashed_password"]


def test_duplicate_email_is_409_case_insensitively(client: TestClient, database_url: str) -> None:
    register(client, "ada@example.com")
    response = client.post(REGISTER, json={"email": "ADA@example.com", "password": "other-pass"})
    assert response.status_code == 409
    assert response.json() == {"detail": "a user with this email already exists"}
    assert len(_users(database_url)) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "password": "correct-horse"},
        {"email": "ada@example.com", "password": "short"},
        {"email": "ada@example.com", "password": "x" * 129},
        {"email": "ada@example.com", "password": "correct-horse", "full_name": "x" * 256},
        {"email": "ada@example.com"},
    ],
)
def test_register_refuses_bad_input(client: TestClient, database_url: str, body: dict) -> None:
    response = client.post(REGISTER, json=body)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)
    assert _users(database_url) == []


def test_login_with_json_and_with_the_oauth2_form(client: TestClient) -> None:
    register(client, "ada@example.com")
    by_json = client.post(LOGIN, json={"email": "ada@example.com", "password": "correct-horse"})
    by_form = client.post(LOGIN, data={"username": "ada@example.com", "password": "correct-horse"})
    for response in (by_json, by_form):
        assert response.status_code == 200
        token = response.json()
        assert token["token_type"] == "bearer" and token["expires_in"] == 24 * 3600
        me = client.get(ME, headers={"Authorization": f"Bearer {token['access_token']}"})
        assert me.status_code == 200
        assert me.json()["email"] == "ada@example.com"


def test_token_claims(client: TestClient, api_settings: Settings) -> None:
    headers = register(client, "ada@example.com")
    token = headers["Authorization"].split()[1]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, api_settings.jwt_secret, algorithms=["HS256"])
    me = client.get(ME, headers=headers).json()
    assert claims["sub"] == str(me["id"])
    lifetime = claims["exp"] - claims["iat"]
    assert lifetime == api_settings.jwt_expire_minutes * 60


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"email": "ada@example.com", "password": "wrong-password"}, 401),
        ({"email": "nobody@example.com", "password": "correct-horse"}, 401),
        ({"email": "ada@example.com"}, 422),
    ],
)
def test_login_refusals(client: TestClient, body: dict, status: int) -> None:
    register(client, "ada@example.com")
    response = client.post(LOGIN, json=body)
    assert response.status_code == status
    assert "access_token" not in response.json()


def test_login_malformed_json_and_unknown_content_type(client: TestClient) -> None:
    response = client.post(
        LOGIN, content=b'{"email": "ada@', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"
    response = client.post(LOGIN, content=b"hello", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "JSON" in response.json()["detail"]


def _forge(claims: dict, *, header: dict | None = None, secret: str = "") -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    head = header or {"alg": "HS256", "typ": "JWT"}
    unsigned = f"{part(head)}.{part(claims)}"
    if head["alg"] == "none":
        return f"{unsigned}."
    return jwt.encode(claims, secret, algorithm="HS256")


def test_forged_tampered_and_expired_tokens_are_401(
    client: TestClient, api_settings: Settings
) -> None:
    headers = register(client, "ada@example.com")
    user_id = client.get(ME, headers=headers).json()["id"]
    future = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
    valid = headers["Authorization"].split()[1]
    head, payload, signature = valid.split(".")
    tampered_claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    tampered_claims["sub"] = str(user_id + 1)
    tampered_payload = base64.urlsafe_b64encode(json.dumps(tampered_claims).encode())
    tokens = {
        "alg none": _forge(
            {"sub": str(user_id), "exp": future}, header={"alg": "none", "typ": "JWT"}
        ),
        "wrong secret": _forge(
            {"sub": str(user_id), "exp": future}, secret="a-guessed-secret-that-is-long-enough-0123"
        ),
        "tampered payload": f"{head}.{tampered_payload.rstrip(b'=').decode()}.{signature}",
        "expired": jwt.encode(
            {"sub": str(user_id), "exp": datetime.now(UTC) - timedelta(seconds=5)},
            api_settings.jwt_secret,
        ),
        "no exp": jwt.encode({"sub": str(user_id)}, api_settings.jwt_secret),
        "garbage": "not.a.token",
    }
    for name, token in tokens.items():
        response = client.get(ME, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, name
        assert response.headers["www-authenticate"] == "Bearer"
    assert client.get(ME).status_code == 401
    assert client.get(ME, headers=headers).status_code == 200


def test_token_of_a_deleted_user_is_401(client: TestClient, database_url: str) -> None:
    headers = register(client, "ada@example.com")
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("delete from app.users"))
    engine.dispose()
    response = client.get(ME, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "the token's user no longer exists"}


def test_repeated_failed_logins_are_429_and_counted_in_redis(
    database_url: str, redis_url: str, redis_namespace: str
) -> None:
    settings = make_settings(database_url, redis_url, redis_namespace, login_max_failures=3)
    wrong = {"email": "ada@example.com", "password": "wrong-password"}
    with TestClient(create_app(settings)) as client:
        register(client, "ada@example.com")
        statuses = [client.post(LOGIN, json=wrong).status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        locked = client.post(LOGIN, json={"email": "ada@example.com", "password": "correct-horse"})
        assert locked.status_code == 429
        assert 0 < int(locked.headers["retry-after"]) <= settings.login_lockout_s
        assert "too many failed logins" in locked.json()["detail"]
        other = client.post(LOGIN, json={"email": "bob@example.com", "password": "whatever1"})
        assert other.status_code == 401  # the limit is per IP and email
    # A second app (another worker) sees the same counter: it lives in Redis.
    with TestClient(create_app(settings)) as second_worker:
        again = second_worker.post(LOGIN, json={**wrong, "password": "correct-horse"})
        assert again.status_code == 429
    keys = redis.Redis.from_url(redis_url).keys(f"{redis_namespace}:login-failures:*")
    assert len(keys) == 2


def test_successful_login_resets_the_failure_count(
    database_url: str, redis_url: str, redis_namespace: str
) -> None:
    settings = make_settings(database_url, redis_url, redis_namespace, login_max_failures=3)
    good = {"email": "ada@example.com", "password": "correct-horse"}
    bad = {**good, "password": "wrong-password"}
    with TestClient(create_app(settings)) as client:
        register(client, "ada@example.com")
        statuses = [
            client.post(LOGIN, json=body).status_code for body in (bad, bad, good, bad, bad)
        ]
        assert statuses == [401, 401, 200, 401, 401]


def test_refuses_to_start_in_production_with_the_default_secret(database_url: str) -> None:
    production = Settings(
        env=Environment.PRODUCTION, database_url=database_url, redis_url="redis://x"
    )
    assert production.jwt_secret == DEFAULT_JWT_SECRET
    with pytest.raises(UnsafeSettingsError, match="JWT_SECRET"):
        create_app(production)
    create_app(production.model_copy(update={"jwt_secret": "a-real-secret-of-our-own-0123456789"}))
