"""Rebuilding views and seeds when their code changes, never on a schedule.

A view reads its tables live and a seed is code, so no tick needs to rebuild them (the staging
views, fact_global_market, coin_categories); a deploy that changes one does. Dagster compares each
asset's code version (dagster-dbt: a hash of the node's SQL or CSV) with the one the sensor saw at
its previous evaluation, and launches a run of what changed. The first evaluation only records the
versions: `cryptoflow up`'s first run (everything_job) builds everything, and history_job rebuilds
the whole warehouse daily.
"""

from __future__ import annotations

import dagster as dg

# A view's upstream view too: rebuilding a view drops its old relation with `cascade`, and with it
# every view reading it (fact_global_market reads stg_global_market), so both go in one run.
REBUILD_ON_CODE_CHANGE = dg.AutomationCondition.code_version_changed() | (
    dg.AutomationCondition.any_deps_match(dg.AutomationCondition.code_version_changed())
)

code_change_sensor = dg.AutomationConditionSensorDefinition(
    "code_change_sensor",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Rebuilds a view or seed whose code changed since its previous evaluation.",
)
