"""Which warehouse assets and checks each cadence runs (the jobs and schedules select with these).

The tick (every 10 minutes) runs only the checks that must hold before the latest-market MV is
refreshed; every other dbt test runs in the hourly quality job (docs/quality.md, "Which tests run
when").
"""

from __future__ import annotations

import dagster as dg

from orchestration.warehouse.assets import warehouse_dbt_assets

LATEST_MARKET_VIEW = dg.AssetKey(["marts", "mv_latest_market_data"])
# Non-blocking checks that grade the snapshot a tick has just loaded (newest row's age, coins in
# the newest load, the newest price jumps): announced by the tick that loaded it, not an hour on.
LOAD_CHECKS = frozenset({"freshness_check", "completeness_check", "anomaly_check"})

# After every 10-minute ingest: staging (its views and the coin_categories seed), the incremental
# marts (the price history the API serves included, so its newest point is the new snapshot) and
# the MV refresh; no tests of their own. Asset keys, not a dbt selection string: resolving one
# (build_dbt_asset_selection) runs dbt's graph selector on the manifest again in every run worker.
after_ingest_models = (
    dg.AssetSelection.groups("staging")
    | dg.AssetSelection.assets(
        *(
            dg.AssetKey(["marts", model])
            for model in (
                "dim_coin",
                "fact_market_data",
                "fact_price_hourly",
                "fact_price_daily",
                "fact_coin_sparkline",
                "fact_global_market",
                "mv_latest_market_data",
            )
        )
    )
).without_checks()


def tick_check_keys() -> list[dg.AssetCheckKey]:
    """The tests the tick runs, on the models the MV reads (dim_coin, fact_coin_sparkline,
    fact_market_data): every blocking one (dbt severity `error`: when one fails, `dbt build` skips
    the MV, which keeps serving the previous snapshot) and the load checks."""
    mv_inputs = warehouse_dbt_assets.asset_deps[LATEST_MARKET_VIEW]
    return sorted(
        (
            spec.key
            for spec in warehouse_dbt_assets.check_specs
            if spec.asset_key in mv_inputs and (spec.blocking or spec.name in LOAD_CHECKS)
        ),
        key=lambda key: (key.asset_key.to_user_string(), key.name),
    )


after_ingest_selection = after_ingest_models | dg.AssetSelection.checks(*tick_check_keys())
# Daily at 04:00 UTC: correlation and risk metrics.
analytics_selection = dg.AssetSelection.groups("analytics")
