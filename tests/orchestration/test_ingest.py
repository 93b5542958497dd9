"""Ingest assets against the simulator and a real PostgreSQL database, through Dagster."""

from __future__ import annotations

import time

import dagster as dg
import sqlalchemy as sa
from ingest_support import ingest_resources

from cryptoflow.db import make_engine
from orchestration.ingest.assets import coingecko_history_assets, coingecko_snapshot_assets

RAW_TABLES = ("markets", "global_market", "market_chart", "ohlc")


def counts(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return {
                table: conn.execute(sa.text(f"select count(*) from raw.{table}")).scalar_one()
                for table in RAW_TABLES
            }
    finally:
        engine.dispose()


def test_full_materialization_fills_raw_with_50_coins_and_a_year(database_url, frozen_sim):
    started = time.monotonic()
    result = dg.materialize(
        [coingecko_snapshot_assets, coingecko_history_assets],
        resources=ingest_resources(database_url, frozen_sim.base_url, top_n=50, history_days=365),
    )
    elapsed = time.monotonic() - started
    assert result.success
    print(f"backfill 50 coins x 365 days: {elapsed:.1f} s")
    engine = make_engine(database_url)
    with engine.connect() as conn:
        per_coin = dict(
            conn.execute(
                sa.text("select coin_id, count(*) from raw.market_chart group by coin_id")
            ).all()
        )
        markets = conn.execute(sa.text("select count(distinct id) from raw.markets")).scalar()
        span = conn.execute(
            sa.text("select max(ts) - min(ts) from raw.market_chart where coin_id = 'bitcoin'")
        ).scalar()
    engine.dispose()
    assert markets == 50
    assert len(per_coin) == 50 and min(per_coin.values()) >= 365
    assert span.days >= 364
    assert counts(database_url)["ohlc"] >= 50 * 90
    rows = {
        key.path[-1]: mat.metadata["rows_loaded"].value
        for key, mat in (
            (m.asset_key, m) for m in result.asset_materializations_for_node("coingecko_history")
        )
    }
    assert rows["market_chart"] == sum(per_coin.values())
