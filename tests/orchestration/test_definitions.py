"""The code location as users load it: schedules, sensors, jobs, and the CLI materialize path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from cryptoflow.db import dagster_storage_url, make_engine
from cryptoflow_cli.up import FIRST_RUN_JOB
from orchestration.definitions import defs

SELECT_RAW = ("--select", "key:raw/*")
RAW_KEYS = {dg.AssetKey(["raw", t]) for t in ("markets", "global_market", "market_chart", "ohlc")}


def test_schedules_run_in_utc_on_the_promised_crons() -> None:
    crons = {
        s.name: (s.cron_schedule, s.job_name, s.execution_timezone, s.default_status)
        for s in defs.get_repository_def().schedule_defs
    }
    running = dg.DefaultScheduleStatus.RUNNING
    assert crons == {
        "ingest_schedule": ("*/10 * * * *", "ingest_job", "UTC", running),
        "daily_ohlcv_schedule": ("0 3 * * *", "history_job", "UTC", running),
        "analytics_schedule": ("0 4 * * *", "analytics_job", "UTC", running),
        "quality_schedule": ("0 * * * *", "quality_job", "UTC", running),
    }


def test_run_tracking_sensors_are_loaded_and_running() -> None:
    sensors = {s.name: s for s in defs.get_repository_def().sensor_defs}
    assert {"run_success_sensor", "run_failure_sensor", "run_canceled_sensor"} <= set(sensors)
    assert all(
        s.default_status == dg.DefaultSensorStatus.RUNNING
        for name, s in sensors.items()
        if name.startswith("run_")
    )


def test_raw_assets_and_ingest_jobs() -> None:
    graph = defs.resolve_asset_graph()
    assert graph.get_all_asset_keys() >= RAW_KEYS
    for key in RAW_KEYS:
        node = graph.get(key)
        assert node.group_name == "ingest"
        assert not node.parent_keys  # no phantom upstreams from dagster-dlt
    ingest = defs.resolve_job_def("ingest_job")
    history = defs.resolve_job_def("history_job")
    assert {dg.AssetKey(["raw", "markets"]), dg.AssetKey(["raw", "global_market"])} <= set(
        ingest.asset_layer.selected_asset_keys
    )
    assert dg.AssetKey(["raw", "market_chart"]) not in ingest.asset_layer.selected_asset_keys
    assert {dg.AssetKey(["raw", "market_chart"]), dg.AssetKey(["raw", "ohlc"])} <= set(
        history.asset_layer.selected_asset_keys
    )
    assert ingest.executor_def.name == "in_process"


def test_the_first_run_of_cryptoflow_up_is_a_job_of_every_asset_and_check() -> None:
    """`cryptoflow up` launches FIRST_RUN_JOB by name (public API, no implicit `__ASSET_JOB`)."""
    job = defs.resolve_job_def(FIRST_RUN_JOB)
    graph = defs.resolve_asset_graph()
    assert set(job.asset_layer.selected_asset_keys) == set(graph.get_all_asset_keys())
    assert set(job.asset_layer.asset_graph.asset_check_keys) == set(graph.asset_check_keys)
    assert job.executor_def.name == "in_process"


def test_cli_materializes_raw_against_the_simulator(
    database_url: str, sim_server, tmp_path: Path, project_root: Path
) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(project_root / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_URL": dagster_storage_url(database_url),
        "DATABASE_URL": database_url,
        "COINGECKO_BASE_URL": sim_server.base_url,
        "COINGECKO_RATE_LIMIT": "100000",
        "CRYPTOFLOW_TOP_N": "4",
        "CRYPTOFLOW_HISTORY_DAYS": "7",
    }
    dagster = Path(sys.executable).parent / "dagster"
    done = subprocess.run(
        [str(dagster), "asset", "materialize", "-m", "orchestration.definitions", *SELECT_RAW],
        cwd=project_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    engine = make_engine(database_url)
    with engine.connect() as conn:
        coins = conn.execute(sa.text("select count(distinct id) from raw.markets")).scalar()
        chart = conn.execute(sa.text("select count(distinct coin_id) from raw.market_chart"))
        runs: list[str] = list(conn.execute(sa.text("select status from dagster.runs")).scalars())
    engine.dispose()
    assert coins == 4 and chart.scalar() == 4
    assert runs == ["SUCCESS"]  # Dagster's own storage lives in the `dagster` schema
