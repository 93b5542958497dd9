"""Which dbt tests run when: the tick runs the checks the latest-market MV needs, the hourly
quality job runs every dbt test (docs/quality.md, "Which tests run when")."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import dagster as dg
import pytest
import sqlalchemy as sa

from cryptoflow.db import make_engine
from cryptoflow.environ import environ_overrides
from cryptoflow.simulator.server import RunningSimulator
from orchestration.definitions import defs
from orchestration.jobs import ingest_job, quality_job
from orchestration.warehouse.assets import warehouse_dbt_assets
from orchestration.warehouse.project import dbt_project
from orchestration.warehouse.selections import LATEST_MARKET_VIEW, TICK_TAG
from tests.warehouse.warehouse_support import ALL_ASSETS, pipeline_resources

UNIQUE_ID = "dagster_dbt/unique_id"
DBT_FINISHED = re.compile(r"Finished running [^\n]* in [^\n]*")
ANALYTICS_MODELS = {"analytics_daily_returns", "analytics_volatility", "analytics_correlation"}
MV_INPUTS = {dg.AssetKey(["marts", name]) for name in ("dim_coin", "fact_coin_sparkline", "fact_market_data")}  # fmt: skip


def _manifest() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(dbt_project.manifest_path.read_text())
    return manifest


def _manifest_tests() -> set[str]:
    return {uid for uid, node in _manifest()["nodes"].items() if node["resource_type"] == "test"}


def _test_of() -> dict[dg.AssetCheckKey, str]:
    """Each check of the dbt assets and the dbt test (unique id) it runs."""
    return {spec.key: (spec.metadata or {})[UNIQUE_ID] for spec in warehouse_dbt_assets.check_specs}


def _job_checks(job: dg.UnresolvedAssetJobDefinition) -> set[dg.AssetCheckKey]:
    return set(job.selection.resolve_checks(defs.resolve_asset_graph()))


def test_every_dbt_test_is_a_check_of_the_quality_job() -> None:
    manifest = _manifest()
    # dbt unit tests are no asset checks: they test a model's SQL on fixed rows, not the data, and
    # run before that model in every build of it (docs/quality.md); only the analytics have any
    assert {test["model"] for test in manifest["unit_tests"].values()} <= ANALYTICS_MODELS
    tests, test_of = _manifest_tests(), _test_of()
    # source tests are checks too (enable_source_tests_as_checks), on the dlt assets' keys
    source_tests = {uid for uid in tests if manifest["nodes"][uid]["name"].startswith("source_")}
    assert source_tests and {
        key.asset_key.path[0] for key, uid in test_of.items() if uid in source_tests
    } == {"raw"}

    selected = _job_checks(quality_job)
    assert {test_of[key] for key in selected} == tests
    # the job as the code location defines it (what the hourly schedule launches)
    job = defs.resolve_job_def(quality_job.name)
    assert {test_of[key] for key in job.asset_layer.asset_graph.asset_check_keys} == tests
    schedule = defs.get_repository_def().get_schedule_def("quality_schedule")
    assert (schedule.job_name, schedule.cron_schedule) == (quality_job.name, "0 * * * *")


def test_the_tick_runs_the_tests_tagged_tick_on_the_view_inputs_and_no_view_or_seed() -> None:
    """The tick's checks are the dbt tests tagged `tick`: on the models the MV reads, the two
    blocking tests a snapshot's own rows can fail and the three load checks; every other test
    (those the models' SQL guarantees among them) waits for the hourly quality job."""
    assert warehouse_dbt_assets.asset_deps[LATEST_MARKET_VIEW] == MV_INPUTS
    manifest, test_of = _manifest(), _test_of()
    selected = _job_checks(ingest_job)
    tagged = {key for key, uid in test_of.items() if TICK_TAG in manifest["nodes"][uid]["tags"]}
    assert selected == tagged
    assert {key.asset_key for key in selected} <= MV_INPUTS
    assert {(key.asset_key.path[-1], key.name) for key in selected} == {
        ("dim_coin", "not_null_dim_coin_name"),
        ("dim_coin", "not_null_dim_coin_symbol"),
        ("fact_market_data", "freshness_check"),
        ("fact_market_data", "completeness_check"),
        ("fact_market_data", "anomaly_check"),
    }
    blocking = {key for key in selected if manifest["nodes"][test_of[key]]["config"]["severity"].upper() == "ERROR"}  # fmt: skip
    assert {key.name for key in blocking} == {"not_null_dim_coin_name", "not_null_dim_coin_symbol"}
    # the models the tick rebuilds: tables only; views and the seed follow their code
    assets = set(ingest_job.selection.resolve(defs.resolve_asset_graph()))
    assert {LATEST_MARKET_VIEW, dg.AssetKey(["raw", "markets"])} | MV_INPUTS <= assets
    materialized = {
        dg.AssetKey([node["schema"], node["name"]]): node["config"]["materialized"]
        for node in manifest["nodes"].values()
        if node["resource_type"] in {"model", "seed"}
    }
    assert not {key for key in assets if materialized.get(key) in {"view", "seed"}}


def test_a_tick_on_a_built_warehouse_runs_only_its_checks(
    warehouse_db: str,
    warehouse_template: Any,
    sim_server: RunningSimulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """dagster-dbt adds upstream sources' tests to a subset build (and reports no check for
    them): the asset leaves them out, so dbt itself runs exactly the tick's tests."""
    sim_server.set_clock(warehouse_template.sim_now + timedelta(minutes=10))
    result = dg.materialize(
        ALL_ASSETS,
        selection=ingest_job.selection,
        resources=pipeline_resources(warehouse_db, sim_server.base_url),
    )
    assert result.success
    evaluated = {(e.asset_key, e.check_name) for e in result.get_asset_check_evaluations()}
    expected = {(key.asset_key, key.name) for key in _job_checks(ingest_job)}
    assert evaluated == expected
    # dagster-dbt echoes dbt's log lines: "Finished running ..., 22 data tests, ... in ..."
    [finished] = DBT_FINISHED.findall(capsys.readouterr().out)
    assert f" {len(expected)} data tests" in finished, finished


def test_the_quality_job_runs_every_dbt_test_on_a_built_warehouse(
    warehouse_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The code location's own quality_job, on a copy of a built warehouse: every dbt test of the
    manifest is evaluated and recorded in app.data_quality_checks."""
    job = defs.resolve_job_def(quality_job.name)
    with environ_overrides(DATABASE_URL=warehouse_db):
        result = job.execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
        )
    test_of = _test_of()
    evaluated = {
        test_of[dg.AssetCheckKey(e.asset_key, e.check_name)]
        for e in result.get_asset_check_evaluations()
    }
    assert evaluated == _manifest_tests()
    [finished] = DBT_FINISHED.findall(capsys.readouterr().out)
    assert f" {len(evaluated)} data tests" in finished, finished
    engine = make_engine(warehouse_db, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            recorded: int = conn.execute(
                sa.text("select count(*) from app.data_quality_checks where run_id = :run"),
                {"run": result.run_id},
            ).scalar_one()
    finally:
        engine.dispose()
    assert recorded == len(evaluated)
