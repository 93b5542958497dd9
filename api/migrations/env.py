"""Alembic environment: migrates only the `app` schema, from the platform's DATABASE_URL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from api.models import Base
from cryptoflow.db import sqlalchemy_url

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("no sqlalchemy.url: run the migrations through api.migrate")
    engine = sa.create_engine(sqlalchemy_url(url), poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        connection.execute(sa.text("create schema if not exists app"))
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table_schema="app",
            include_schemas=True,
            include_name=lambda name, type_, _parent: type_ != "schema" or name == "app",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    engine.dispose()


run_migrations_online()
