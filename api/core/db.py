"""The API's async SQLAlchemy engine (psycopg 3) on the platform's one DATABASE_URL."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from cryptoflow.db import sqlalchemy_url

STATEMENT_TIMEOUT_MS = 15_000  # a runaway query answers 503 instead of holding a connection


def make_async_engine(database_url: str, *, pool_size: int) -> AsyncEngine:
    """A sized pool; pre-ping so the API recovers by itself after PostgreSQL restarts."""
    return create_async_engine(
        sqlalchemy_url(database_url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=10,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": 5,
            "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c timezone=UTC",
        },
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)
