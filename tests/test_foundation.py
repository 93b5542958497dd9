"""The foundation: settings, URL rendering and the embedded services path."""

from __future__ import annotations

import sqlalchemy as sa

from cryptoflow.db import SCHEMAS, PgParts, dagster_storage_url, dlt_url, make_engine
from cryptoflow.services import EmbeddedPostgres, EmbeddedRedis, free_port
from cryptoflow.settings import Settings


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
        names = set(
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
    aliases = [field.validation_alias.choices[0] for field in Settings.model_fields.values()]
    assert [alias for alias in aliases if f"`{alias}`" not in readme] == []


def test_compose_runs_the_same_system(project_root) -> None:
    """docker-compose.yml declares every service with the platform's env names (no engine here)."""
    import yaml

    compose = yaml.safe_load((project_root / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in (
        "postgres",
        "redis",
        "migrate",
        "dagster-webserver",
        "dagster-daemon",
        "api",
        "consumer",
    ):
        assert name in services
    for name in ("api", "dagster-webserver", "dagster-daemon", "consumer"):
        env = services[name]["environment"]
        assert {"DATABASE_URL", "REDIS_URL", "DAGSTER_PG_URL"} <= set(env)
    for name in ("postgres", "redis", "api", "dagster-webserver"):
        assert "healthcheck" in services[name]
