"""Which warehouse assets and checks each cadence runs (the jobs, schedules and sensors select
with these).

The tick (every 10 minutes) rebuilds the tables a snapshot changes and runs the tests its new rows
can fail (dbt tag `tick`); every dbt test runs in the hourly quality job; views and seeds are
rebuilt when their code changes (automation.py; docs/quality.md, "Which tests run when").
"""

from __future__ import annotations

import dagster as dg
from dagster_dbt.asset_utils import (
    DAGSTER_DBT_UNIQUE_ID_METADATA_KEY,
    get_manifest_and_translator_from_dbt_assets,
)

from orchestration.warehouse.assets import warehouse_dbt_assets

LATEST_MARKET_VIEW = dg.AssetKey(["marts", "mv_latest_market_data"])
# The dbt tag of the tests the tick runs.
TICK_TAG = "tick"

# After every 10-minute ingest: the incremental marts (the price history the API serves included,
# so its newest point is the new snapshot) and the MV refresh. Asset keys, not
# a dbt selection string: resolving one (build_dbt_asset_selection) runs dbt's graph selector on
# the manifest again in every run worker.
after_ingest_models = dg.AssetSelection.assets(
    *(
        dg.AssetKey(["marts", model])
        for model in (
            "dim_coin",
            "fact_market_data",
            "fact_price_hourly",
            "fact_price_daily",
            "fact_coin_sparkline",
            "mv_latest_market_data",
        )
    )
).without_checks()


def tick_check_keys() -> list[dg.AssetCheckKey]:
    """The checks of the dbt tests tagged `tick`: on the models the MV reads, the blocking tests
    a snapshot's rows can fail (a failing one makes `dbt build` skip the MV, which keeps serving
    the previous snapshot) and the load checks grading the snapshot just loaded."""
    manifest = get_manifest_and_translator_from_dbt_assets([warehouse_dbt_assets])[0]
    tagged = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and TICK_TAG in node["tags"]
    }
    return sorted(
        (
            spec.key
            for spec in warehouse_dbt_assets.check_specs
            if (spec.metadata or {}).get(DAGSTER_DBT_UNIQUE_ID_METADATA_KEY) in tagged
        ),
        key=lambda key: (key.asset_key.to_user_string(), key.name),
    )


after_ingest_selection = after_ingest_models | dg.AssetSelection.checks(*tick_check_keys())
# Daily at 04:00 UTC: correlation and risk metrics.
analytics_selection = dg.AssetSelection.groups("analytics")
