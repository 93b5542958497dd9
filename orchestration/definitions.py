"""The CryptoFlow code location: it only assembles what the domain packages define.

`dagster asset materialize -m orchestration.definitions --select '*'` runs the whole graph.
The in-process executor runs every step of a run in one process: the multiprocess default
re-imports this module (~6 s) for each step.
"""

from __future__ import annotations

import dagster as dg
from dagster_dlt import DagsterDltResource

from cryptoflow.settings import exit_on_bad_settings, get_settings
from orchestration.ingest.assets import coingecko_history_assets, coingecko_snapshot_assets
from orchestration.jobs import (
    analytics_job,
    everything_job,
    history_job,
    ingest_job,
    quality_job,
)
from orchestration.resources import coingecko_resource, warehouse_resource
from orchestration.schedules import schedules
from orchestration.sensors import sensors
from orchestration.warehouse.assets import warehouse_dbt_assets
from orchestration.warehouse.automation import code_change_sensor
from orchestration.warehouse.resources import warehouse_dbt

# The location reads the settings at load: a bad one ends the code server with its one line and
# exit 2, where Dagster would otherwise wrap it in a page of user-code-load-error traceback.
with exit_on_bad_settings():
    settings = get_settings()

defs = dg.Definitions(
    assets=[coingecko_snapshot_assets, coingecko_history_assets, warehouse_dbt_assets],
    jobs=[ingest_job, history_job, analytics_job, quality_job, everything_job],
    schedules=schedules,
    sensors=[*sensors, code_change_sensor],
    resources={
        "dlt": DagsterDltResource(),
        "coingecko": coingecko_resource(settings),
        "warehouse": warehouse_resource(settings),
        "dbt": warehouse_dbt(dg.EnvVar("DATABASE_URL")),
    },
    executor=dg.in_process_executor,
)
