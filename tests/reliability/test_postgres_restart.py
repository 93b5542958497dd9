"""PostgreSQL restarts under a running API: 503 with a message while it is down, then recovery.

The API runs as its own process on a PostgreSQL of the test's own, which the test stops and
starts; the API itself is never restarted.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import orjson
import pytest

from cryptoflow.services import EmbeddedPostgres
from tests.reliability.load import TRANSPORT_ERROR, Answer, hammer
from tests.reliability.servers import ApiProcess

DATABASE_DOWN = {"detail": "the database is unavailable, retry soon"}
READYZ_DOWN = {
    "detail": "not ready: database unreachable",
    "database": "unreachable",
    "redis": "ok",
}
DB_PATHS = ("/api/v1/auth/me", "/api/v1/pipeline/runs", "/api/v1/pipeline/health", "/readyz")
RECOVERY_BOUND_S = 3.0  # after PostgreSQL accepts connections again, every request must succeed


@pytest.fixture
def api(own_database_url: str, redis_url: str, redis_namespace: str) -> Iterator[ApiProcess]:
    server = ApiProcess(
        env={
            "DATABASE_URL": own_database_url,
            "REDIS_URL": redis_url,
            "CRYPTOFLOW_REDIS_NAMESPACE": redis_namespace,
            "CRYPTOFLOW_API_CACHE_CHECK_S": "0.2",
        }
    ).start()
    try:
        yield server
    finally:
        server.stop()


def bearer(api: ApiProcess) -> dict[str, str]:
    account = {"email": "ops@example.com", "password": "correct-horse"}
    assert httpx.post(f"{api.base_url}/api/v1/auth/register", json=account).status_code == 201
    login = httpx.post(f"{api.base_url}/api/v1/auth/login", json=account)
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def test_postgres_restart_is_503_with_a_message_then_the_api_recovers_by_itself(
    api: ApiProcess, own_postgres: EmbeddedPostgres
) -> None:
    assert api.process is not None
    pid = api.process.pid
    answers: list[Answer] = []
    done = asyncio.Event()

    async def probe() -> None:
        answers.extend(
            await hammer(
                api.base_url,
                (*DB_PATHS, "/healthz"),
                connections=4,
                until=done,
                headers=bearer(api),
                pause_s=0.02,
            )
        )

    task = asyncio.create_task(probe())
    await asyncio.sleep(1.0)
    stopping = time.monotonic()
    await asyncio.to_thread(own_postgres.stop)
    await asyncio.sleep(1.5)
    starting = time.monotonic()
    await asyncio.to_thread(own_postgres.start)
    started = time.monotonic()
    await asyncio.sleep(RECOVERY_BOUND_S + 1.5)
    done.set()
    await task

    assert api.process.poll() is None and api.process.pid == pid  # never restarted
    assert {a.status for a in answers} <= {200, 503}, "only 503 while down, never 500 or a reset"
    assert all(a.ok for a in answers if a.path == "/healthz")
    errors = [a for a in answers if not a.ok]
    assert errors, "the outage was not seen"
    for error in errors:
        expected = READYZ_DOWN if error.path == "/readyz" else DATABASE_DOWN
        assert error.content_type == "application/json"
        assert orjson.loads(error.body) == expected, error
    assert all(stopping <= a.at for a in errors)
    last_error = max(a.at for a in errors)
    assert last_error < started + RECOVERY_BOUND_S
    after = [a for a in answers if a.at > last_error]
    assert after and all(a.ok for a in after)
    assert {a.path for a in after} >= set(DB_PATHS)
    before = [a for a in answers if a.at < stopping]
    assert before and all(a.ok for a in before)
    first_error = min(a.at for a in errors)
    print(
        f"\nPostgreSQL restart: down {starting - stopping:.1f} s (stop) + "
        f"{started - starting:.2f} s (start); 503 for {last_error - first_error:.2f} s "
        f"({len(errors)} of {len(answers)} answers); last 503 "
        f"{last_error - started:+.2f} s after PostgreSQL was back; "
        f"{len(after)} answers after, 0 errors; transport errors: "
        f"{sum(a.status == TRANSPORT_ERROR for a in answers)}"
    )
