"""After a full run on simulator data: every model is there, every dbt test (the seven quality
checks among them) is a passed asset check, every check result is stored for the API, and the
lineage is one connected graph."""

from __future__ import annotations

import json
from typing import Any

import dagster as dg

from orchestration.definitions import defs
from orchestration.jobs import ingest_job
from orchestration.warehouse.project import dbt_project
from tests.warehouse.warehouse_support import execute, quality_check_keys

OUR_CHECKS = {
    "freshness_check",
    "completeness_check",
    "schema_check",
    "anomaly_check",
    "referential_integrity_check",
    "ohlcv_consistency_check",
    "close_only_check",
}


def _manifest() -> dict[str, Any]:
    return json.loads(dbt_project.manifest_path.read_text())


def test_every_model_exists_and_is_not_empty(warehouse_db: str) -> None:
    models = [
        (node["schema"], node["alias"])
        for node in _manifest()["nodes"].values()
        if node["resource_type"] in {"model", "seed"}
    ]
    assert len(models) == 17

    counts = {
        f"{schema}.{name}": execute(warehouse_db, f'select count(*) from "{schema}"."{name}"')[0][0]
        for schema, name in models
    }

    assert [relation for relation, count in counts.items() if count == 0] == []
    assert counts["marts.mv_latest_market_data"] == counts["marts.dim_coin"] == 50
    kinds = dict(
        execute(
            warehouse_db,
            "select relname, relkind from pg_class join pg_namespace n on n.oid = relnamespace "
            "where nspname = 'marts' and relname = 'mv_latest_market_data'",
        )
    )
    assert kinds == {"mv_latest_market_data": "m"}  # a real materialized view


def test_dbt_tests_are_asset_checks_that_passed(warehouse_template: Any) -> None:
    dbt_tests = {
        node["name"] for node in _manifest()["nodes"].values() if node["resource_type"] == "test"
    }
    evaluations = warehouse_template.check_evaluations
    dbt_checks = {e.check_name for e in evaluations if e.check_name in dbt_tests}

    assert dbt_checks == dbt_tests  # every dbt test, source tests included
    assert {e.check_name for e in evaluations} == dbt_tests  # no check of Dagster's own
    assert {key.name for key in quality_check_keys()} == OUR_CHECKS
    # each quality check says why it passed: its verdict row's description and numbers
    quality = [e for e in evaluations if e.check_name in OUR_CHECKS]
    assert [e.check_name for e in quality if not e.description] == []
    assert all(len(e.metadata) > 4 for e in quality)
    assert [(e.asset_key, e.check_name) for e in evaluations if not e.passed] == []
    source_checks = {e.asset_key for e in evaluations if e.asset_key.path[0] == "raw"}
    assert len(source_checks) == 4


def test_every_check_result_is_stored_with_per_table_scores(
    warehouse_db: str, warehouse_template: Any
) -> None:
    rows = execute(
        warehouse_db,
        "select table_name, count(*), avg((status = 'pass')::int) as score "
        "from app.data_quality_checks group by table_name",
    )
    scores = {table: (count, float(score)) for table, count, score in rows}

    assert sum(count for count, _ in scores.values()) == len(warehouse_template.check_evaluations)
    assert {score for _, score in scores.values()} == {1.0}
    assert {"marts.fact_market_data", "marts.fact_daily_ohlcv", "raw.markets"} <= set(scores)


def test_lineage_is_one_connected_graph_from_raw_to_analytics() -> None:
    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    raw = {key for key in keys if key.path[0] == "raw"}

    reached, frontier = set(raw), list(raw)
    while frontier:
        for child in graph.get(frontier.pop()).child_keys:
            if child not in reached:
                reached.add(child)
                frontier.append(child)

    seeds = {dg.AssetKey(["staging", "coin_categories"])}
    assert raw == {
        dg.AssetKey(["raw", t]) for t in ("markets", "market_chart", "ohlc", "global_market")
    }
    assert keys - reached == seeds  # everything else flows from the dlt assets
    assert all(graph.get(key).is_materializable for key in raw)  # the dlt assets, not stubs
    groups = {key.path[-1]: graph.get(key).group_name for key in keys}
    assert groups["stg_markets"] == "staging"
    assert groups["mv_latest_market_data"] == groups["fact_market_data"] == "marts"
    assert groups["analytics_correlation"] == "analytics"


def test_ingest_job_refreshes_the_latest_market_view() -> None:
    selected = defs.resolve_job_def(ingest_job.name).asset_layer.selected_asset_keys
    assert {
        dg.AssetKey(["raw", "markets"]),
        dg.AssetKey(["marts", "fact_market_data"]),
        dg.AssetKey(["marts", "mv_latest_market_data"]),
    } <= selected
