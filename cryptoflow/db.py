"""One database URL, rendered for each client that needs it (SQLAlchemy, dlt, Dagster, dbt)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote, urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cryptoflow.settings import masked_url

# The platform's schemas, each with one owner that alone writes to it: dlt (raw), dbt
# (staging/marts/analytics), the API's Alembic migrations (app) and Dagster's storage (dagster).
# See docs/contracts.md.
SCHEMAS = ("raw", "staging", "marts", "analytics", "app", "dagster")


@dataclass(frozen=True)
class PgParts:
    """A PostgreSQL URL split into libpq fields; `host` may be a Unix-socket directory."""

    user: str
    password: str
    host: str
    port: int
    dbname: str

    @classmethod
    def parse(cls, url: str) -> PgParts:
        split = urlsplit(url)
        if split.scheme.split("+")[0] not in {"postgresql", "postgres"}:
            # the whole (masked) URL: a value without "scheme:" has an empty scheme
            raise ValueError(f"not a postgresql:// URL: {masked_url(url)!r}")
        query = parse_qs(split.query)
        host = query.get("host", [split.hostname or "127.0.0.1"])[0]
        try:
            port = int(query.get("port", [split.port or 5432])[0])
        except ValueError:
            raise ValueError(f"no valid port in {masked_url(url)!r}") from None
        return cls(
            user=unquote(split.username or "postgres"),
            password=unquote(split.password or ""),
            host=host,
            port=port,
            dbname=(split.path or "/postgres").lstrip("/") or "postgres",
        )

    @property
    def is_socket(self) -> bool:
        return self.host.startswith("/")

    def url(self, *, driver: str = "postgresql", dbname: str | None = None) -> str:
        """A URL every client here accepts: socket hosts go in `?host=`, the password is always present."""
        auth = f"{quote(self.user, safe='')}:{quote(self.password, safe='')}"
        name = dbname or self.dbname
        if self.is_socket:
            return f"{driver}://{auth}@localhost:{self.port}/{name}?host={self.host}"
        return f"{driver}://{auth}@{self.host}:{self.port}/{name}"

    def with_dbname(self, dbname: str) -> PgParts:
        return PgParts(self.user, self.password, self.host, self.port, dbname)


def sqlalchemy_url(database_url: str) -> str:
    return PgParts.parse(database_url).url(driver="postgresql+psycopg")


def dlt_url(database_url: str) -> str:
    return PgParts.parse(database_url).url()


def dagster_storage_url(database_url: str) -> str:
    """Dagster needs psycopg2 (psycopg 3 breaks its NOTIFY) and lives in its own schema."""
    url = PgParts.parse(database_url).url(driver="postgresql+psycopg2")
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3Ddagster"


def dbt_env(database_url: str) -> dict[str, str]:
    """Environment that `dbt_project/profiles.yml` reads."""
    parts = PgParts.parse(database_url)
    return {
        "CRYPTOFLOW_PG_HOST": parts.host,
        "CRYPTOFLOW_PG_PORT": str(parts.port),
        "CRYPTOFLOW_PG_USER": parts.user,
        "CRYPTOFLOW_PG_PASSWORD": parts.password,
        "CRYPTOFLOW_PG_DBNAME": parts.dbname,
    }


def make_engine(database_url: str, **kwargs: object) -> Engine:
    return sa.create_engine(sqlalchemy_url(database_url), pool_pre_ping=True, **kwargs)


def create_schemas(database_url: str) -> None:
    """Create the platform's schemas (idempotent)."""
    engine = make_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            for schema in SCHEMAS:
                conn.execute(sa.text(f'create schema if not exists "{schema}"'))
    finally:
        engine.dispose()


def create_database(server_url: str, dbname: str, *, template: str | None = None) -> str:
    """Create `dbname` on the server of `server_url` (optionally from a template); return its URL."""
    parts = PgParts.parse(server_url)
    engine = make_engine(parts.url(), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                sa.text("select 1 from pg_database where datname = :n"), {"n": dbname}
            ).scalar()
            if not exists:
                suffix = f' template "{template}"' if template else ""
                conn.execute(sa.text(f'create database "{dbname}"{suffix}'))
    finally:
        engine.dispose()
    return parts.with_dbname(dbname).url()


def drop_database(server_url: str, dbname: str) -> None:
    parts = PgParts.parse(server_url)
    engine = make_engine(parts.url(), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'drop database if exists "{dbname}" with (force)'))
    finally:
        engine.dispose()
