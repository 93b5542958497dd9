"""dbt models as Dagster assets, dbt tests as their asset checks (results logged for the API)."""

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import dbt_assets

from orchestration.quality.store import CheckOutcome, record_check_outcomes
from orchestration.resources import WarehouseResource
from orchestration.warehouse.project import dbt_project
from orchestration.warehouse.resources import WarehouseDbtResource
from orchestration.warehouse.translator import WarehouseDbtTranslator


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=WarehouseDbtTranslator(),
    name="warehouse_dbt_assets",
)
def warehouse_dbt_assets(
    context: dg.AssetExecutionContext, dbt: WarehouseDbtResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """The dbt star schema: staging views, marts, the latest-market MV and analytics.

    One `dbt build` per run for whatever subset the job selects (models, their tests as checks).
    """
    invocation = dbt.cli(["build"], context=context)
    outcomes: list[CheckOutcome] = []
    try:
        for event in invocation.stream().fetch_row_counts():
            if isinstance(event, dg.AssetCheckResult | dg.AssetCheckEvaluation):
                outcomes.append(event)
            yield event
    finally:
        with warehouse.engine().begin() as conn:
            record_check_outcomes(conn, context.run_id, outcomes)
        dbt.keep_partial_parse(invocation)
