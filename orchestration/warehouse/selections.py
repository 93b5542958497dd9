"""Which warehouse assets each cadence refreshes (the jobs and schedules select with these)."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import build_dbt_asset_selection

from orchestration.warehouse.assets import warehouse_dbt_assets

# After every 10-minute ingest: staging, the incremental marts (the price history the API serves
# included, so its newest point is the new snapshot) and the MV refresh.
after_ingest_selection = build_dbt_asset_selection(
    [warehouse_dbt_assets],
    dbt_select="staging marts.dim_coin marts.fact_market_data marts.fact_price_hourly "
    "marts.fact_price_daily marts.fact_coin_sparkline marts.fact_global_market "
    "marts.mv_latest_market_data coin_categories",
)
# Daily at 04:00 UTC: correlation and risk metrics.
analytics_selection = dg.AssetSelection.groups("analytics")
