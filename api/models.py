"""SQLAlchemy tables of the `app` schema (users, watchlist, holdings, run and check records)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    metadata = sa.MetaData(schema="app")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320), unique=True, index=True)
    hashed_password: Mapped[str] = mapped_column(sa.String(255))
    full_name: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class WatchlistEntry(Base):
    __tablename__ = "user_watchlist"
    __table_args__ = (sa.UniqueConstraint("user_id", "coin_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("app.users.id", ondelete="CASCADE"), index=True
    )
    coin_id: Mapped[str] = mapped_column(sa.String(100))
    added_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class Holding(Base):
    __tablename__ = "portfolio_holdings"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("buy_price_usd >= 0", name="buy_price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("app.users.id", ondelete="CASCADE"), index=True
    )
    coin_id: Mapped[str] = mapped_column(sa.String(100))
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(38, 18))
    buy_price_usd: Mapped[Decimal] = mapped_column(sa.Numeric(38, 18))
    bought_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    notes: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )


class PipelineRun(Base):
    """One row per finished Dagster run, written by the orchestration's run-status sensors."""

    __tablename__ = "pipeline_runs"

    run_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    job_name: Mapped[str] = mapped_column(sa.String(255), index=True)
    status: Mapped[str] = mapped_column(sa.String(32))  # SUCCESS | FAILURE | CANCELED
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    duration_s: Mapped[float | None]
    records_processed: Mapped[int | None] = mapped_column(sa.BigInteger)
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    recorded_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class DataQualityCheck(Base):
    """One row per evaluated asset check (dbt tests and our own), written after each run."""

    __tablename__ = "data_quality_checks"
    __table_args__ = (sa.Index("ix_dq_table_checked", "table_name", "checked_at"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    run_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    check_name: Mapped[str] = mapped_column(sa.String(255))
    table_name: Mapped[str] = mapped_column(sa.String(255))  # e.g. marts.fact_market_data
    status: Mapped[str] = mapped_column(sa.String(8))  # pass | warn | fail
    severity: Mapped[str] = mapped_column(sa.String(8))  # ERROR | WARN
    description: Mapped[str | None] = mapped_column(sa.Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    checked_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), index=True
    )


class DataVersion(Base):
    """One version of a served dataset: the run that changed it and the data's own time.

    Written by the orchestration (the run itself, or its run-status sensor for `pipeline`), read
    by the API to label answers and key its response cache (cryptoflow.platform_events).
    """

    __tablename__ = "data_versions"
    __table_args__ = (sa.UniqueConstraint("dataset", "run_id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    dataset: Mapped[str] = mapped_column(
        sa.String(32)
    )  # market | ohlcv | analytics | quality | pipeline
    run_id: Mapped[str] = mapped_column(sa.String(64))
    job_name: Mapped[str] = mapped_column(sa.String(255))
    as_of: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
