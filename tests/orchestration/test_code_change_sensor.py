"""Views and the seed are rebuilt when their code changes, by the code location's own sensor,
never by the tick (orchestration/warehouse/automation.py)."""

from __future__ import annotations

import dagster as dg

from orchestration.definitions import defs
from orchestration.warehouse.assets import warehouse_dbt_assets
from orchestration.warehouse.automation import code_change_sensor

STG_MARKETS = dg.AssetKey(["staging", "stg_markets"])
STG_GLOBAL = dg.AssetKey(["staging", "stg_global_market"])
FACT_GLOBAL = dg.AssetKey(["marts", "fact_global_market"])
STAGING = ("stg_markets", "stg_market_chart", "stg_ohlc", "stg_global_market", "coin_categories")
CODE_DEFINED = {dg.AssetKey(["staging", name]) for name in STAGING} | {
    dg.AssetKey(["marts", "fact_global_market"])
}


def test_views_and_the_seed_and_nothing_else_follow_their_code() -> None:
    graph = defs.resolve_asset_graph()
    automated = {key for key in graph.get_all_asset_keys() if graph.get(key).automation_condition}
    assert automated == CODE_DEFINED
    sensor = defs.get_repository_def().get_sensor_def(code_change_sensor.name)
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    # dagster-dbt's code version: a hash of the node's SQL or CSV, so an edit changes it
    versions = {key: graph.get(key).code_version for key in CODE_DEFINED}
    assert all(versions.values()) and len(set(versions.values())) == len(CODE_DEFINED)


def _deployed(edited: dg.AssetKey) -> dg.Definitions:
    """The code location after a deploy that edits `edited`'s SQL (its hash changes)."""
    return dg.Definitions(
        assets=[
            warehouse_dbt_assets.map_asset_specs(
                lambda spec: (
                    spec.replace_attributes(code_version="edited") if spec.key == edited else spec
                )
            )
        ],
        sensors=[code_change_sensor],
        resources=defs.resources,
    )


def _requested(result: dg.EvaluateAutomationConditionsResult) -> set[dg.AssetKey]:
    return {key for key in CODE_DEFINED if result.get_requested_partitions(key)}


def test_a_changed_view_is_rebuilt_once_and_an_unchanged_one_never() -> None:
    instance = dg.DagsterInstance.ephemeral()
    first = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    assert first.total_requested == 0, "the first evaluation only records the versions"
    again = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
    assert again.total_requested == 0

    # a deploy that edits stg_markets.sql: that view alone, once
    deployed = _deployed(STG_MARKETS)
    changed = dg.evaluate_automation_conditions(
        defs=deployed, instance=instance, cursor=again.cursor
    )
    assert _requested(changed) == {STG_MARKETS} and changed.total_requested == 1
    settled = dg.evaluate_automation_conditions(
        defs=deployed, instance=instance, cursor=changed.cursor
    )
    assert settled.total_requested == 0, "one rebuild per change"


def test_a_changed_view_is_rebuilt_with_the_views_reading_it() -> None:
    """Rebuilding stg_global_market drops fact_global_market (a view on it) with `cascade`: the
    same evaluation rebuilds both."""
    instance = dg.DagsterInstance.ephemeral()
    first = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    changed = dg.evaluate_automation_conditions(
        defs=_deployed(STG_GLOBAL), instance=instance, cursor=first.cursor
    )
    assert _requested(changed) == {STG_GLOBAL, FACT_GLOBAL}
