"""Helpers of the warehouse tests: run the quality checks or a job's assets against one database."""

from __future__ import annotations

import json
from typing import Any

import dagster as dg
import sqlalchemy as sa
from dagster_dlt import DagsterDltResource

from cryptoflow.db import make_engine
from orchestration.ingest.assets import coingecko_history_assets, coingecko_snapshot_assets
from orchestration.resources import CoinGeckoResource, WarehouseResource, coingecko_resource
from orchestration.warehouse.assets import warehouse_dbt_assets
from orchestration.warehouse.project import dbt_project
from orchestration.warehouse.resources import warehouse_dbt

ALL_ASSETS = [coingecko_snapshot_assets, coingecko_history_assets, warehouse_dbt_assets]


def pipeline_resources(
    database_url: str,
    sim_base_url: str,
    *,
    redis_url: str | None = None,
    redis_namespace: str = "cryptoflow",
) -> dict[str, Any]:
    """The code location's resources on a test's database and simulator; with `redis_url`, the
    runs publish their platform events there."""
    return {
        "dlt": DagsterDltResource(),
        "coingecko": CoinGeckoResource(
            base_url=sim_base_url, top_n=50, history_days=365, rate_limit=100_000, backoff_s=0.05
        ),
        "warehouse": WarehouseResource(
            database_url=database_url, redis_url=redis_url, redis_namespace=redis_namespace
        ),
        "dbt": warehouse_dbt(database_url),
    }


def quality_check_keys() -> set[dg.AssetCheckKey]:
    """The checks of the dbt tests configured as quality checks (`meta.quality_check`)."""
    manifest = json.loads(dbt_project.manifest_path.read_text())
    names = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and "quality_check" in node["config"]["meta"]
    }
    return {key for key in warehouse_dbt_assets.check_keys if key.name in names}


def run_quality_checks(
    database_url: str, coingecko: CoinGeckoResource | None = None
) -> dict[tuple[str, str], dg.AssetCheckEvaluation]:
    """Run the quality checks' dbt tests (nothing materialized); keyed by (table, check name).

    `coingecko` (whose `top_n` the completeness check expects) defaults to the code location's.
    """
    result = dg.materialize(
        [warehouse_dbt_assets],
        selection=dg.AssetSelection.checks(*quality_check_keys()),
        raise_on_error=False,  # a failed blocking test fails the step, after reporting its check
        resources={
            "dbt": warehouse_dbt(database_url),
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
