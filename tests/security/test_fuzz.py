"""Schema-based fuzzing (schemathesis) of every endpoint, anonymous and signed in.

The API runs as its own process on a clone of the warehouse, so generated requests meet real
data. Every answer must be a documented status with a body matching its documented schema and
content type, never a 5xx; invalid input must be refused; protected endpoints must refuse
requests without a valid token.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.reliability.servers import ApiProcess

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "ignored_auth",
]
MAX_EXAMPLES = 12


STATUSES: Counter[int] = Counter()


@pytest.fixture(scope="module", autouse=True)
def fuzzing_summary() -> Iterator[None]:
    yield
    print(
        f"\nschemathesis: {STATUSES.total()} requests, by status {dict(sorted(STATUSES.items()))}"
    )


@pytest.fixture(scope="module")
def fuzzed_api(
    module_warehouse_url: str, redis_url: str, module_redis_namespace: str
) -> Iterator[ApiProcess]:
    server = ApiProcess(
        env={
            "DATABASE_URL": module_warehouse_url,
            "REDIS_URL": redis_url,
            "CRYPTOFLOW_REDIS_NAMESPACE": module_redis_namespace,
            # fuzzed logins are wrong by design: the lockout is tested in test_auth_attacks
            "CRYPTOFLOW_LOGIN_MAX_FAILURES": "1000000",
        }
    ).start()
    try:
        yield server
    finally:
        server.stop()


def bearer_headers(api: ApiProcess) -> dict[str, str]:
    account = {"email": "fuzz@example.com", "password": "correct-horse"}
    httpx.post(f"{api.base_url}/api/v1/auth/register", json=account)
    login = httpx.post(f"{api.base_url}/api/v1/auth/login", json=account)
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def api_schema() -> schemathesis.BaseSchema:
    """The schema the app serves at /openapi.json (building the app needs no database)."""
    from api.main import app

    loaded = schemathesis.openapi.from_dict(app.openapi())
    modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    loaded.config.generation.update(max_examples=MAX_EXAMPLES, modes=modes)
    loaded.config.checks.update(included_check_names=CHECKS)
    return loaded


@pytest.fixture(scope="module", params=["anonymous", "signed in"])
def auth_headers(request: pytest.FixtureRequest, fuzzed_api: ApiProcess) -> dict[str, str]:
    return bearer_headers(fuzzed_api) if request.param == "signed in" else {}


schema = api_schema()


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_endpoint_answers_as_documented(
    case: schemathesis.Case, fuzzed_api: ApiProcess, auth_headers: dict[str, str]
) -> None:
    response = case.call(base_url=fuzzed_api.base_url, headers=auth_headers)
    STATUSES[response.status_code] += 1
    case.validate_response(response, headers=auth_headers)
