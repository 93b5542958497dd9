"""Alembic: the `app` schema upgrades from empty, and downgrades/upgrades round trip."""

from __future__ import annotations

import sqlalchemy as sa

from api.migrate import downgrade, upgrade
from api.models import Base
from cryptoflow.db import drop_database, make_engine
from tests.conftest import new_database

APP_TABLES = {
    "users",
    "user_watchlist",
    "portfolio_holdings",
    "pipeline_runs",
    "data_quality_checks",
}


def _app_tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names(schema="app")) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_from_empty_and_round_trip(pg_server_url: str) -> None:
    name, url = new_database(pg_server_url)
    try:
        assert _app_tables(url) == set()
        upgrade(url)
        assert _app_tables(url) == APP_TABLES == {t.name for t in Base.metadata.sorted_tables}
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(
                sa.text("insert into app.users (email, hashed_password) values ('a@b.c', 'x')")
            )
        engine.dispose()
        upgrade(url)  # idempotent at head
        downgrade(url, "base")
        assert _app_tables(url) == set()
        upgrade(url)
        assert _app_tables(url) == APP_TABLES
    finally:
        drop_database(pg_server_url, name)
