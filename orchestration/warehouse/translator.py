"""Asset keys and groups of dbt nodes, chosen so the lineage graph is one connected graph."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from orchestration.warehouse.automation import REBUILD_ON_CODE_CHANGE


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """`raw/<table>` for sources (the dlt assets' keys), `<schema>/<model>` for models and seeds.

    Models are grouped by folder (`staging`, `marts`, `analytics`), which the jobs select on.
    """

    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "model":
            return str(dbt_resource_props["fqn"][1])
        return "staging"

    def get_automation_condition(
        self, dbt_resource_props: Mapping[str, Any]
    ) -> dg.AutomationCondition | None:
        """Views and seeds are rebuilt when their code changes (automation.py)."""
        if dbt_resource_props["resource_type"] == "seed" or (
            dbt_resource_props["config"].get("materialized") == "view"
        ):
            return REBUILD_ON_CODE_CHANGE
        return None
