"""The CryptoFlow code location: it only assembles what the domain packages define.

`dagster asset materialize -m orchestration.definitions --select '*'` runs the whole graph.
The in-process executor runs every step of a run in one process: the multiprocess default
re-imports this module (~6 s) for each step.
"""

from __future__ import annotations

import dagster as dg
from dagster_dlt import DagsterDltResource

from orchestration.ingest.assets import coingecko_history_assets, coingecko_snapshot_assets
from orchestration.jobs import analytics_job, history_job, ingest_job, quality_job
from orchestration.quality.checks import quality_checks
from orchestration.resources import coingecko_resource, warehouse_resource
from orchestration.schedules import schedules
from orchestration.sensors import sensors
from orchestration.warehouse.assets import warehouse_dbt_assets
from orchestration.warehouse.resources import warehouse_dbt

defs = dg.Definitions(
    assets=[coingecko_snapshot_assets, coingecko_history_assets, warehouse_dbt_assets],
    asset_checks=quality_checks,
    jobs=[ingest_job, history_job, analytics_job, quality_job],
    schedules=schedules,
    sensors=sensors,
    resources={
        "dlt": DagsterDltResource(),
        "coingecko": coingecko_resource(),
        "warehouse": warehouse_resource(),
        "dbt": warehouse_dbt(dg.EnvVar("DATABASE_URL")),
    },
    executor=dg.in_process_executor,
)
