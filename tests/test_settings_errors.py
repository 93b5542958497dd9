"""Bad settings get one line: every command and server start names the setting and its value
(secrets masked) on stderr and exits 2, without a traceback unless CRYPTOFLOW_LOG_LEVEL=DEBUG.

Each case starts the real process (the `cryptoflow` CLI, uvicorn, the Dagster code server).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cryptoflow.services import free_port
from cryptoflow.settings import DEFAULT_JWT_SECRET, Settings, masked, masked_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SETTING_NAMES = {
    name
    for f in Settings.model_fields.values()
    for name in f.validation_alias.choices  # type: ignore[union-attr]
}
SECRET = "hunter2"


@dataclass(frozen=True)
class Case:
    """A process started with `env` that must refuse it with one line containing `shows`."""

    argv: list[str]
    env: dict[str, str]
    shows: str
    hidden: tuple[str, ...] = field(default=())


def run(
    case: Case, tmp_path: Path, *, timeout_s: float = 60
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run `case` in an environment holding none of our settings but its own."""
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    env = {k: v for k, v in env.items() if not k.startswith(("CRYPTOFLOW_", "DAGSTER_"))}
    env.update(CRYPTOFLOW_DATA_DIR=str(tmp_path / "data"), DAGSTER_HOME=str(tmp_path), **case.env)
    started = time.monotonic()
    result = subprocess.run(
        case.argv,
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        stdin=subprocess.DEVNULL,
    )
    return result, time.monotonic() - started


def assert_one_line(result: subprocess.CompletedProcess[str], case: Case) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert case.shows in lines[0]
    for secret in case.hidden:
        assert secret not in result.stderr + result.stdout
    return lines[0]


def cli(*args: str) -> list[str]:
    return [str(BIN / "cryptoflow"), *args]


def uvicorn_api() -> list[str]:
    return [str(BIN / "uvicorn"), "api.main:app", "--host", "127.0.0.1", "--port", str(free_port())]


CASES = {
    "malformed DATABASE_URL (migrate)": Case(
        cli("migrate"), {"DATABASE_URL": "notaurl"}, "DATABASE_URL='notaurl': not a PostgreSQL URL"
    ),
    "malformed DATABASE_URL with a password (up)": Case(
        cli("up"),
        {"DATABASE_URL": f"mysql://root:{SECRET}@db/x"},
        "DATABASE_URL='mysql://root:***@db/x'",
        hidden=(SECRET,),
    ),
    "malformed REDIS_URL (consume)": Case(
        cli("consume"), {"REDIS_URL": "nonsense"}, "REDIS_URL='nonsense': not a Redis URL"
    ),
    "malformed REDIS_URL (API)": Case(
        uvicorn_api(), {"REDIS_URL": "nonsense"}, "REDIS_URL='nonsense': not a Redis URL"
    ),
    "unknown CRYPTOFLOW_SOURCE (up)": Case(
        cli("up"), {"CRYPTOFLOW_SOURCE": "bogus"}, "CRYPTOFLOW_SOURCE='bogus'"
    ),
    "unknown CRYPTOFLOW_LOG_LEVEL (consume)": Case(
        cli("consume"), {"CRYPTOFLOW_LOG_LEVEL": "LOUD"}, "CRYPTOFLOW_LOG_LEVEL='LOUD'"
    ),
    "unknown CRYPTOFLOW_ENV (migrate)": Case(
        cli("migrate"), {"CRYPTOFLOW_ENV": "staging"}, "CRYPTOFLOW_ENV='staging'"
    ),
    "option variable of the simulator (sim)": Case(
        cli("sim"), {"CRYPTOFLOW_SIM_RATE_429": "2"}, "CRYPTOFLOW_SIM_RATE_429='2'"
    ),
    "the simulator's port setting (sim)": Case(
        cli("sim"), {"CRYPTOFLOW_SIM_PORT": "http"}, "CRYPTOFLOW_SIM_PORT='http'"
    ),
    "no DATABASE_URL to split for dbt (dbt-env)": Case(
        cli("dbt-env"), {}, "DATABASE_URL=(unset): dbt-env needs the database"
    ),
    "production with the default JWT secret (API)": Case(
        uvicorn_api(),
        {"CRYPTOFLOW_ENV": "production"},
        "JWT_SECRET=***: the built-in development default",
        hidden=(DEFAULT_JWT_SECRET,),
    ),
    "production with the default JWT secret (up)": Case(
        cli("up"),
        {"CRYPTOFLOW_ENV": "production"},
        "JWT_SECRET=***",
        hidden=(DEFAULT_JWT_SECRET,),
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_bad_value_is_one_line_and_exit_2(case: Case, tmp_path: Path) -> None:
    result, _ = run(case, tmp_path)
    assert_one_line(result, case)


@pytest.mark.parametrize("command", ["migrate", "up"])
def test_an_unreachable_server_is_one_line_within_seconds(command: str, tmp_path: Path) -> None:
    """Nothing listens on the port: refused at once, naming the URL with its password masked."""
    port = free_port()
    setting = {"migrate": "DATABASE_URL", "up": "REDIS_URL"}[command]
    url = {
        "DATABASE_URL": f"postgresql://cf:{SECRET}@127.0.0.1:{port}/cf",
        "REDIS_URL": f"redis://:{SECRET}@127.0.0.1:{port}/0",
    }[setting]
    case = Case(cli(command), {setting: url}, f"{setting}={masked_url(url)!r}", hidden=(SECRET,))
    result, elapsed = run(case, tmp_path)
    line = assert_one_line(result, case)
    assert "does not answer" in line
    assert elapsed < 20  # mostly interpreter start-up on a busy machine; no connect timeout hit


def test_the_dagster_code_location_refuses_a_bad_setting(tmp_path: Path) -> None:
    """The code server reads the settings when it loads `orchestration.definitions`."""
    argv = [str(BIN / "dagster"), "api", "grpc", "-m", "orchestration.definitions"]
    argv += ["-h", "127.0.0.1", "-p", str(free_port())]
    case = Case(argv, {"CRYPTOFLOW_ENV": "staging"}, "CRYPTOFLOW_ENV='staging'")
    result, _ = run(case, tmp_path, timeout_s=180)
    assert_one_line(result, case)


@pytest.mark.parametrize("argv", [cli("migrate"), uvicorn_api()], ids=["migrate", "API"])
def test_debug_log_level_adds_the_traceback(argv: list[str], tmp_path: Path) -> None:
    case = Case(argv, {"DATABASE_URL": "notaurl", "CRYPTOFLOW_LOG_LEVEL": "DEBUG"}, "")
    result, _ = run(case, tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback (most recent call last)" in result.stderr
    last = [line for line in result.stderr.splitlines() if line.strip()][-1]
    assert last.startswith("bad setting DATABASE_URL='notaurl'")


def test_secrets_are_masked() -> None:
    assert masked("JWT_SECRET", "s3cr3t") == "***"
    assert masked("COINGECKO_API_KEY", "CG-abc") == "***"
    assert masked("DATABASE_URL", f"postgresql://u:{SECRET}@h:5432/d?host=/tmp") == (
        "'postgresql://u:***@h:5432/d?host=/tmp'"
    )
    assert masked_url(f"https://api.example/v3?x_cg_demo=1&api_key={SECRET}") == (
        "https://api.example/v3?x_cg_demo=1&api_key=***"
    )
    assert masked("REDIS_URL", "redis://127.0.0.1:6379/0") == "'redis://127.0.0.1:6379/0'"
    assert masked_url(f"postgresql:cf:{SECRET}@db/cf") == "postgresql:***@db/cf"  # no "//"
    assert masked("REDIS_URL", None) == "(unset)"
