"""Helpers of the warehouse tests: run our checks or a job's assets against one database."""

from __future__ import annotations

from typing import Any

import dagster as dg
import sqlalchemy as sa
from dagster_dlt import DagsterDltResource

from cryptoflow.db import make_engine
from orchestration.ingest.assets import coingecko_history_assets, coingecko_snapshot_assets
from orchestration.quality.checks import quality_checks
from orchestration.resources import CoinGeckoResource, WarehouseResource, coingecko_resource
from orchestration.warehouse.assets import warehouse_dbt_assets
from orchestration.warehouse.resources import warehouse_dbt

ALL_ASSETS = [coingecko_snapshot_assets, coingecko_history_assets, warehouse_dbt_assets]


def pipeline_resources(database_url: str, sim_base_url: str) -> dict[str, Any]:
    return {
        "dlt": DagsterDltResource(),
        "coingecko": CoinGeckoResource(
            base_url=sim_base_url, top_n=50, history_days=365, rate_limit=100_000, backoff_s=0.05
        ),
        "warehouse": WarehouseResource(database_url=database_url),
        "dbt": warehouse_dbt(database_url),
    }


def run_quality_checks(
    database_url: str, coingecko: CoinGeckoResource | None = None
) -> dict[tuple[str, str], dg.AssetCheckEvaluation]:
    """Evaluate our six checks (nothing materialized); keyed by (table, check name).

    `coingecko` (whose `top_n` the completeness check expects) defaults to the code location's.
    """
    targets = {key.asset_key for checks in quality_checks for key in checks.check_keys}
    result = dg.materialize(
        [*(dg.AssetSpec(key) for key in targets), *quality_checks],
        selection=dg.AssetSelection.checks(*quality_checks),
        resources={
            "warehouse": WarehouseResource(database_url=database_url),
            "coingecko": coingecko or coingecko_resource(),
        },
    )
    return {
        (".".join(evaluation.asset_key.path), evaluation.check_name): evaluation
        for evaluation in result.get_asset_check_evaluations()
    }


def execute(database_url: str, sql: str, **params: Any) -> list[Any]:
    engine = make_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            result = conn.execute(sa.text(sql), params)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()
