"""Alembic: the `app` schema upgrades from empty, and downgrades/upgrades round trip."""

from __future__ import annotations

import multiprocessing

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
    "data_versions",
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


def _upgrade_in_child(url: str) -> None:
    upgrade(url)


def test_concurrent_upgrades_of_a_new_database_take_turns(pg_server_url: str) -> None:
    """Runs of the code location (each its own process) may all upgrade a brand-new database at
    once: the advisory lock makes them take turns, and every one of them succeeds."""
    name, url = new_database(pg_server_url)
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=_upgrade_in_child, args=(url,)) for _ in range(4)]
    try:
        for child in children:
            child.start()
        for child in children:
            child.join(120)
        assert [child.exitcode for child in children] == [0, 0, 0, 0]
        assert _app_tables(url) == APP_TABLES
        engine = make_engine(url)
        with engine.connect() as conn:
            versions = conn.execute(sa.text("select version_num from app.alembic_version"))
            assert len(versions.all()) == 1
        engine.dispose()
    finally:
        for child in children:
            if child.is_alive():
                child.kill()
        drop_database(pg_server_url, name)
