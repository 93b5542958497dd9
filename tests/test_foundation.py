"""The foundation: settings, URL rendering and the embedded services path."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from pydantic import AliasChoices

from cryptoflow.db import SCHEMAS, PgParts, dagster_storage_url, dbt_env, dlt_url, make_engine
from cryptoflow.services import EmbeddedPostgres, EmbeddedRedis, free_port
from cryptoflow.settings import Settings
from cryptoflow_cli.up import api_command


def test_settings_read_environment(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db:5433/x")
    monkeypatch.setenv("CORS_ORIGINS", "http://a.example, http://b.example")
    monkeypatch.setenv("CRYPTOFLOW_SOURCE", "sim")
    settings = Settings()
    assert settings.database_url == "postgresql://u:p@db:5433/x"
    assert settings.cors_origins == ["http://a.example", "http://b.example"]
    assert settings.source == "sim"
    assert settings.uses_default_jwt_secret


def test_one_url_renders_for_every_client() -> None:
    socket_url = "postgresql://postgres:@localhost:5432/cryptoflow?host=/tmp/pg"
    parts = PgParts.parse(socket_url)
    assert parts.host == "/tmp/pg" and parts.dbname == "cryptoflow"
    assert dlt_url(socket_url) == socket_url
    assert dagster_storage_url("postgresql://postgres@h:5/d").startswith(
        "postgresql+psycopg2://postgres:@h:5/d?options="
    )


def test_schemas_exist(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        names: set[str] = set(
            conn.execute(sa.text("select schema_name from information_schema.schemata")).scalars()
        )
    engine.dispose()
    assert set(SCHEMAS) <= names


def test_embedded_services_start_and_stop(tmp_path) -> None:
    """The fresh-machine path: pgserver PostgreSQL and the wheel's redis-server, on their own ports."""
    pg = EmbeddedPostgres(tmp_path / "pg")
    url = pg.start()
    try:
        engine = make_engine(url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("select current_database()")).scalar() == "cryptoflow"
        engine.dispose()
    finally:
        pg.stop()
    assert not (tmp_path / "pg" / "postmaster.pid").exists()

    port = free_port()
    rds = EmbeddedRedis(tmp_path / "redis", port=port)
    import redis

    client = redis.Redis.from_url(rds.start())
    try:
        assert client.set("k", "v") and client.get("k") == b"v"
    finally:
        client.close()
        rds.stop()
    assert rds.process is not None and rds.process.poll() is not None


def test_readme_documents_every_setting(project_root) -> None:
    readme = (project_root / "README.md").read_text()
    aliases = []
    for field in Settings.model_fields.values():
        assert isinstance(field.validation_alias, AliasChoices), "every setting has an env alias"
        aliases.append(field.validation_alias.choices[0])
    assert [alias for alias in aliases if f"`{alias}`" not in readme] == []


APP_SERVICES = ("migrate", "dagster-code", "dagster-webserver", "dagster-daemon", "api", "consumer")


def _compose_config(project_root: Path, tmp_path: Path) -> dict[str, Any]:
    """docker-compose.yml as Docker Compose resolves it (Debian's docker-compose v1 validates a
    file without a daemon): anchors merged, `${VAR:-default}` at its defaults."""
    compose = shutil.which("docker-compose")
    if compose is None:
        pytest.fail("docker-compose missing: scripts/ensure-test-deps.sh installs Debian's")
    empty_env_file = tmp_path / "empty.env"  # a developer's .env must not change the answer
    empty_env_file.write_text("")
    done = subprocess.run(
        [compose, "--env-file", str(empty_env_file), "-f", "docker-compose.yml", "config"],
        cwd=project_root,
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"docker-compose rejects docker-compose.yml:\n{done.stderr}"
    assert "WARNING" not in done.stderr, done.stderr
    return dict(yaml.safe_load(done.stdout))


def test_compose_runs_the_same_system(project_root: Path, tmp_path: Path) -> None:
    """docker-compose.yml is valid, and runs what the README says: postgres, redis, a one-shot
    migrate, the Dagster code server, webserver and daemon, the API and the consumer, on the
    platform's env names, every server with a healthcheck, each part wired to the others."""
    services = _compose_config(project_root, tmp_path)["services"]
    assert set(services) == {"postgres", "redis", *APP_SERVICES}
    command = {name: services[name]["command"] for name in APP_SERVICES}
    starts = {name: " ".join(args) for name, args in command.items()}
    assert starts["migrate"] == "cryptoflow migrate"
    assert starts["consumer"] == "cryptoflow consume"
    assert starts["dagster-code"].startswith("dagster api grpc -m orchestration.definitions ")
    assert starts["dagster-webserver"].startswith("dagster-webserver ")
    assert starts["dagster-daemon"].startswith("dagster-daemon run ")
    assert starts["api"].startswith("uvicorn api.main:app ")

    def option(name: str, flag: str) -> str:
        args = command[name]
        return str(args[args.index(flag) + 1])

    # the API stops as promptly as `cryptoflow up` runs it (tests/streaming/test_shutdown.py)
    shipped = api_command(Path("/"), "0.0.0.0", 8000, 2)
    graceful = shipped[shipped.index("--timeout-graceful-shutdown") + 1]
    assert option("api", "--timeout-graceful-shutdown") == graceful

    # the webserver and the daemon reach the one code server; the healthchecks probe the servers
    grpc_port = option("dagster-code", "-p")
    for name in ("dagster-webserver", "dagster-daemon"):
        assert (option(name, "--grpc-host"), option(name, "--grpc-port")) == (
            "dagster-code",
            grpc_port,
        )
        assert services[name]["depends_on"]["dagster-code"] == {"condition": "service_healthy"}
    healthchecks = {
        name: services[name]["healthcheck"]["test"]
        for name in services
        if "healthcheck" in services[name]
    }
    assert set(healthchecks) == {"postgres", "redis", *APP_SERVICES} - {"migrate", "consumer"}
    assert (
        " ".join(healthchecks["dagster-code"])
        == f"CMD dagster api grpc-health-check -p {grpc_port}"
    )
    assert " ".join(healthchecks["dagster-daemon"]) == "CMD dagster-daemon liveness-check"
    for name, path, port in (
        ("api", "/readyz", "8000"),
        ("dagster-webserver", "/server_info", "3000"),
    ):
        assert option(name, "--port" if name == "api" else "-p") == port
        assert f"http://localhost:{port}{path}" in healthchecks[name][-1]
        assert [(p["published"], p["target"]) for p in services[name]["ports"]] == [
            (int(port), int(port))
        ]

    # one environment: the platform's documented names, every client rendered from DATABASE_URL
    readme = (project_root / "README.md").read_text()
    pg = services["postgres"]["environment"]
    for name in APP_SERVICES:
        env = services[name]["environment"]
        undocumented = [
            key for key in env
            if f"`{key}`" not in readme and not (key.startswith("CRYPTOFLOW_PG_") and "`CRYPTOFLOW_PG_*`" in readme)
        ]  # fmt: skip
        assert undocumented == [], name
        database_url = env["DATABASE_URL"]
        parts = PgParts.parse(database_url)
        assert (parts.host, parts.user, parts.password, parts.dbname) == (
            "postgres", pg["POSTGRES_USER"], pg["POSTGRES_PASSWORD"], pg["POSTGRES_DB"]
        )  # fmt: skip
        assert env["DAGSTER_PG_URL"] == dagster_storage_url(database_url)
        assert {key: env[key] for key in dbt_env(database_url)} == dbt_env(database_url)
        assert env["REDIS_URL"].startswith("redis://redis:")
        if name != "migrate":
            ready = services[name]["depends_on"]
            assert ready["migrate"] == {"condition": "service_completed_successfully"}
            assert ready["postgres"] == ready["redis"] == {"condition": "service_healthy"}
