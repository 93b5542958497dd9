"""The shipped install is the tested install.

The Dockerfile installs uv.lock's runtime dependencies only (`uv sync --frozen --no-dev`); the
dev environment the other tests run in has more. These tests build that `--no-dev` environment
(cached in `.cache/nodev-venv`, rebuilt when uv.lock or pyproject.toml change) and run, with its
own interpreter and nothing of the dev environment, every command the Dockerfile and
docker-compose.yml run, each checked the way compose checks it (its healthcheck) or better.
"""

from __future__ import annotations

import ast
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import uuid
from collections.abc import Iterator
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from cryptoflow.db import (
    create_database,
    dagster_storage_url,
    dbt_env,
    drop_database,
    make_engine,
)
from cryptoflow.services import free_port
from cryptoflow_cli.dagster_graphql import DagsterGraphQL
from cryptoflow_cli.supervisor import http_ok
from tests.process_support import Child, start, stop, wait_until

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NODEV_ENV = PROJECT_ROOT / ".cache" / "nodev-venv"
RUNTIME_PACKAGES = ("cryptoflow", "cryptoflow_cli", "orchestration", "api", "live")
# Runtime dependencies no module imports, and what uses them.
USED_WITHOUT_IMPORT = {
    "dagster-webserver": "the `dagster-webserver` command of docker-compose.yml and `cryptoflow up`",
    "dagster-postgres": "dagster.yaml's run/event/schedule storage",
    "dbt-postgres": "the dbt adapter profiles.yml names",
    "protobuf": "a bound on the protobuf of dagster's gRPC and dbt",
    "python-multipart": "starlette's form parser (the OAuth2 login form)",
    "email-validator": "pydantic's EmailStr",
}
STARTUP_TIMEOUT_S = 180
# Our image's services in docker-compose.yml, each checked below.
IMAGE_SERVICES = {
    "migrate",
    "dagster-code",
    "dagster-webserver",
    "dagster-daemon",
    "api",
    "consumer",
}


def _lock_key() -> str:
    digest = hashlib.sha256()
    for name in ("uv.lock", "pyproject.toml"):
        digest.update((PROJECT_ROOT / name).read_bytes())
    return digest.hexdigest()


def _uv() -> str:
    local = PROJECT_ROOT / ".uv" / "bin" / "uv"
    found = str(local) if local.exists() else shutil.which("uv")
    if found is None:
        pytest.fail("uv is missing: `make install` puts it in .uv/")
    return found


@pytest.fixture(scope="module")
def nodev_env() -> Path:
    """The Dockerfile's `uv sync --frozen --no-dev`, into .cache/nodev-venv (one builder at a time)."""
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert "uv sync --frozen --no-dev" in dockerfile, "the Dockerfile no longer installs this way"
    NODEV_ENV.parent.mkdir(exist_ok=True)
    stamp = NODEV_ENV / ".cryptoflow-lock-sha256"
    with (NODEV_ENV.parent / "nodev-venv.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        key = _lock_key()
        if not (stamp.exists() and stamp.read_text() == key):
            env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
            env["UV_PROJECT_ENVIRONMENT"] = str(NODEV_ENV)
            done = subprocess.run(
                [_uv(), "sync", "--frozen", "--no-dev", "--python", sys.executable, "--quiet"],
                cwd=PROJECT_ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=400,
            )
            assert done.returncode == 0, done.stderr[-3000:]
            stamp.write_text(key)
    return NODEV_ENV


def _base_env(nodev: Path) -> dict[str, str]:
    """What a container has: the image's PATH and ENV, nothing of this test's environment."""
    env = {"PATH": f"{nodev / 'bin'}:/usr/local/bin:/usr/bin:/bin", "PYTHONUNBUFFERED": "1"}
    for name in ("HOME", "LANG", "LC_ALL", "TMPDIR"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def test_runtime_dependencies_are_what_runtime_code_imports() -> None:
    """pyproject's runtime dependencies are exactly the distributions the runtime packages
    import, plus the few used without an import (USED_WITHOUT_IMPORT)."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    declared = {canonicalize_name(Requirement(dep).name) for dep in project["dependencies"]}
    imported: set[str] = set()
    for package in RUNTIME_PACKAGES:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    imported.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - set(RUNTIME_PACKAGES)
    providers = packages_distributions()
    missing, used = [], set()
    for name in sorted(third_party):
        dists = {canonicalize_name(dist) for dist in providers.get(name, [])}
        if dists & declared:
            used |= dists & declared
        else:
            missing.append(f"{name} (from {sorted(dists) or 'no installed distribution'})")
    assert missing == [], "imported by runtime code but not a runtime dependency"
    unused = declared - used - {canonicalize_name(name) for name in USED_WITHOUT_IMPORT}
    assert unused == set(), (
        "runtime dependencies nothing imports (dev group, or USED_WITHOUT_IMPORT)"
    )


def _import_everything_probe() -> str:
    """Python that imports every runtime module, then prints where it ran and which dev-only
    packages it can see (the Dockerfile's environment has none)."""
    modules = sorted(
        ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts).removesuffix(".__init__")
        for package in RUNTIME_PACKAGES
        for path in (PROJECT_ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )
    assert len(modules) > 50
    return (
        "import importlib, importlib.util, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps({'prefix': sys.prefix, 'api': importlib.import_module('api').__file__,\n"
        "    'dev_only': [n for n in ('pytest', 'polars', 'ruff', 'mypy', 'playwright')\n"
        "                 if importlib.util.find_spec(n)]}))\n"
    )


def _compose_services() -> dict[str, Any]:
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("image") == "cryptoflow:latest"
    }


_INTERPOLATION = re.compile(r"^\$\{[A-Z0-9_]+:-(.*)\}$")


def _service_env(service: dict[str, Any], local: dict[str, str]) -> dict[str, str]:
    """The service's compose environment with this machine's addresses for the services' ones
    (`${NAME:-default}` → default; a name without value passes the host's through: none here)."""
    env = {}
    for name, value in service["environment"].items():
        if name in local:
            env[name] = local[name]
        elif value is not None:
            match = _INTERPOLATION.match(str(value))
            env[name] = match.group(1) if match else str(value)
    return env


def daemon_heartbeats(database_url: str) -> int:
    engine = make_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(sa.text("select count(*) from dagster.daemon_heartbeats")).scalar()
                or 0
            )
    except sa.exc.ProgrammingError:  # the daemon has not created Dagster's tables yet
        return 0
    finally:
        engine.dispose()


@pytest.fixture
def fresh_database(pg_server_url: str) -> Iterator[str]:
    """A brand-new database with nothing in it (no schema, no table): what compose's postgres has."""
    name = f"cf_test_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_server_url, name)
    try:
        yield url
    finally:
        drop_database(pg_server_url, name)


def test_every_shipped_command_runs_from_the_no_dev_environment(
    nodev_env: Path,
    fresh_database: str,
    redis_url: str,
    redis_namespace: str,
    tmp_path: Path,
) -> None:
    services = _compose_services()
    assert set(services) == IMAGE_SERVICES, "a service of our image changed: check it here"
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE).group(1))  # type: ignore[union-attr]
    assert cmd[:2] == services["api"]["command"][:2] == ["uvicorn", "api.main:app"]

    ports = {"4266": str(free_port()), "3000": str(free_port()), "8000": str(free_port())}
    sim_port = free_port()

    def local_args(args: list[str]) -> list[str]:
        out = []
        for arg in args:
            for port, mine in ports.items():
                arg = arg.replace(f"localhost:{port}", f"127.0.0.1:{mine}")
            arg = {"0.0.0.0": "127.0.0.1", "dagster-code": "127.0.0.1"}.get(arg, arg)
            out.append(ports.get(arg, arg))
        return out

    home = tmp_path / "dagster_home"  # the image's DAGSTER_HOME, with the repo's dagster.yaml
    home.mkdir()
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    local = {
        "DATABASE_URL": fresh_database,
        "REDIS_URL": redis_url,
        "DAGSTER_PG_URL": dagster_storage_url(fresh_database),
        **dbt_env(fresh_database),
        "COINGECKO_BASE_URL": f"http://127.0.0.1:{sim_port}/api/v3",
        "PRICE_STREAM_URL": f"ws://127.0.0.1:{sim_port}/ws/prices",
    }
    base = _base_env(nodev_env)
    base.update(DAGSTER_HOME=str(home), CRYPTOFLOW_REDIS_NAMESPACE=redis_namespace)

    def env_of(name: str) -> dict[str, str]:
        return {**base, **_service_env(services[name], local)}

    def run(args: list[str], name: str, timeout_s: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            local_args(args),
            cwd=PROJECT_ROOT,
            env=env_of(name),
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )

    def healthy(name: str) -> bool:
        try:
            return run(services[name]["healthcheck"]["test"][1:], name).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    # compose: the one-shot `migrate` first; every other service waits for it
    migrated = run(services["migrate"]["command"], "migrate", timeout_s=120)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    engine = make_engine(fresh_database)
    with engine.connect() as conn:
        app_tables: set[str] = set(
            conn.execute(
                sa.text("select tablename from pg_tables where schemaname = 'app'")
            ).scalars()
        )
        has_dagster_schema = conn.execute(
            sa.text("select exists (select 1 from pg_namespace where nspname = 'dagster')")
        ).scalar()
    engine.dispose()
    assert {"pipeline_runs", "data_quality_checks", "users"} <= app_tables
    assert has_dagster_schema

    logs = tmp_path / "logs"
    logs.mkdir()
    children: list[Child] = []
    try:

        def launch(name: str, args: list[str], env: dict[str, str], cwd: Path = PROJECT_ROOT):
            child = start(name, args, env=env, cwd=cwd, log_dir=logs)
            children.append(child)
            return child

        sim = launch("sim", ["cryptoflow", "sim", "--port", str(sim_port)], base)
        import_all = launch("import-all", ["python", "-c", _import_everything_probe()], base)
        # the Dockerfile's build step, its output kept out of the project's own target/
        dbt_parse = launch(
            "dbt-parse",
            ["dbt", "parse", "--quiet"],
            {**base, "DBT_TARGET_PATH": str(tmp_path / "dbt"), "DBT_LOG_PATH": str(logs)},
            cwd=PROJECT_ROOT / "dbt_project",
        )
        servers = [sim] + [
            launch(name, local_args(services[name]["command"]), env_of(name))
            for name in ("dagster-code", "api", "consumer", "dagster-webserver", "dagster-daemon")
        ]

        wait_until(
            http_ok(f"http://127.0.0.1:{sim_port}/api/v3/ping", timeout_s=3),
            timeout_s=STARTUP_TIMEOUT_S,
            what="simulator /api/v3/ping",
            watch=servers,
        )
        wait_until(
            lambda: dbt_parse.process.poll() is not None,
            timeout_s=STARTUP_TIMEOUT_S,
            what="dbt parse",
        )
        assert dbt_parse.process.returncode == 0, dbt_parse.tail()
        assert (tmp_path / "dbt" / "manifest.json").exists()

        wait_until(
            lambda: healthy("api"), timeout_s=STARTUP_TIMEOUT_S, what="api /readyz", watch=servers
        )
        assert http_ok(f"http://127.0.0.1:{ports['8000']}/healthz", timeout_s=3)()

        # the webserver lists the jobs once it loaded the code server's location; then each
        # compose healthcheck (a dagster import each: run once things are up, not polled)
        dagster = DagsterGraphQL(f"http://127.0.0.1:{ports['3000']}")
        wait_until(
            lambda: dagster.has_job("ingest_job"),
            timeout_s=STARTUP_TIMEOUT_S,
            what="the code location's jobs in the webserver",
            watch=servers,
        )
        assert dagster.has_job("history_job")
        assert healthy("dagster-webserver")
        assert healthy("dagster-code")

        wait_until(
            lambda: daemon_heartbeats(fresh_database) > 0,
            timeout_s=STARTUP_TIMEOUT_S,
            what="dagster-daemon heartbeats",
            watch=servers,
        )
        wait_until(
            lambda: healthy("dagster-daemon"),
            timeout_s=60,
            what="dagster-daemon liveness-check",
            watch=servers,
            interval_s=1.0,
        )
        checked = {"api", "dagster-webserver", "dagster-code", "dagster-daemon"}
        assert checked == {name for name in services if "healthcheck" in services[name]}

        wait_until(
            lambda: import_all.process.poll() is not None,
            timeout_s=STARTUP_TIMEOUT_S,
            what="every runtime module imported",
        )
        assert import_all.process.returncode == 0, import_all.tail()
        found = json.loads(import_all.tail().splitlines()[-1])
        assert Path(found["prefix"]).resolve() == nodev_env.resolve()  # its own interpreter
        assert Path(found["api"]).resolve().is_relative_to(PROJECT_ROOT)  # this tree's code
        assert found["dev_only"] == []

        client = redis.Redis.from_url(redis_url)
        try:
            wait_until(
                lambda: client.hlen(f"{redis_namespace}:latest") > 0,
                timeout_s=STARTUP_TIMEOUT_S,
                what="a live price the consumer put in Redis",
                watch=servers,
            )
        finally:
            client.delete(f"{redis_namespace}:latest")
            client.close()
    finally:
        stop(children)
    assert all(child.process.poll() is not None for child in children)
