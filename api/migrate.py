"""Run the `app` schema's Alembic migrations programmatically (CLI, tests, `make up`, and the
Dagster code location before its first write to `app`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from cryptoflow.db import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Every process migrating `app` takes this PostgreSQL advisory lock (per database) first, so
# concurrent upgrades — runs of the code location, `cryptoflow migrate`, compose's `migrate` —
# happen one after the other and the later ones find the schema at head.
MIGRATION_LOCK_KEY = 0x63665F617070  # "cf_app"
MIGRATION_LOCK_TIMEOUT = "120s"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


@contextmanager
def migration_lock(database_url: str) -> Iterator[None]:
    """Hold the `app` migration lock of this database; wait for it at most 120 s."""
    engine = make_engine(database_url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f"set lock_timeout = '{MIGRATION_LOCK_TIMEOUT}'"))
            conn.execute(sa.text("select pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(
                    sa.text("select pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
    finally:
        engine.dispose()


def upgrade(database_url: str, revision: str = "head") -> None:
    with migration_lock(database_url):
        command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    with migration_lock(database_url):
        command.downgrade(alembic_config(database_url), revision)
