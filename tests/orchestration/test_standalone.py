"""Dagster on its own: the code location on a brand-new, empty database (no schema, no
`cryptoflow migrate`), Dagster's storage in a DAGSTER_HOME of its own, the simulator as CoinGecko.

The code location makes sure the `app` tables it writes exist (the `warehouse` resource runs the
Alembic upgrade before a run's first step); these run it the two ways the README shows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from cryptoflow.db import create_database, drop_database, make_engine
from cryptoflow.services import free_port
from cryptoflow.simulator.server import RunningSimulator
from cryptoflow_cli.dagster_graphql import DagsterGraphQL
from cryptoflow_cli.up import FIRST_RUN_JOB, backfill_step
from orchestration.ingest import HISTORY_PROGRESS_PREFIX
from tests.process_support import start, stop, wait_until
from tests.warehouse.warehouse_support import quality_check_keys

DAGSTER = str(Path(sys.executable).with_name("dagster"))
STARTUP_TIMEOUT_S = 180
RUN_TIMEOUT_S = 240
# The seven quality checks (dbt tests, like the others), each recorded in app.data_quality_checks.
OUR_CHECKS = {key.name for key in quality_check_keys()}


@pytest.fixture
def empty_database(pg_server_url: str) -> Iterator[str]:
    """A brand-new database with nothing in it, dropped after the test."""
    name = f"cf_test_{os.urandom(6).hex()}"
    url = create_database(pg_server_url, name)
    try:
        yield url
    finally:
        drop_database(pg_server_url, name)


def standalone_env(database_url: str, sim: RunningSimulator, dagster_home: Path) -> dict[str, str]:
    """Only what the README's Dagster section sets: DATABASE_URL, DAGSTER_HOME and the source
    (a small market: 4 coins, 30 days). No setting of this test process leaks in."""
    dagster_home.mkdir()
    ours = ("DATABASE_URL", "REDIS_URL", "DAGSTER_", "CRYPTOFLOW_", "COINGECKO_", "PRICE_STREAM")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update(
        DATABASE_URL=database_url,
        DAGSTER_HOME=str(dagster_home),
        COINGECKO_BASE_URL=sim.base_url,
        COINGECKO_RATE_LIMIT="100000",
        CRYPTOFLOW_TOP_N="4",
        CRYPTOFLOW_HISTORY_DAYS="30",
    )
    return env


def query(database_url: str, sql: str, **params: Any) -> list[Any]:
    engine = make_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params).all())
    finally:
        engine.dispose()


def test_materialize_everything_on_an_empty_database(
    empty_database: str, sim_server: RunningSimulator, tmp_path: Path, project_root: Path
) -> None:
    """`dagster asset materialize --select '*'`: every asset and check, `app` tables included."""
    done = subprocess.run(
        [DAGSTER, "asset", "materialize", "-m", "orchestration.definitions", "--select", "*"],
        cwd=project_root,
        env=standalone_env(empty_database, sim_server, tmp_path / "dagster_home"),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "RUN_SUCCESS" in done.stderr
    [(coins,)] = query(empty_database, "select count(*) from marts.mv_latest_market_data")
    assert coins == 4
    [(analytics,)] = query(empty_database, "select count(*) from analytics.analytics_volatility")
    assert analytics > 0
    recorded = query(
        empty_database, "select check_name, count(*) from app.data_quality_checks group by 1"
    )
    names = {name for name, _ in recorded}
    assert names >= OUR_CHECKS and len(names) > len(OUR_CHECKS)  # dbt tests recorded as well
    assert query(empty_database, "select version_num from app.alembic_version") != []


LAUNCH_ASSETS = """
mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }
"""
RUN_STATUS = """
query($runId: ID!) { runOrError(runId: $runId) { ... on Run { status } } }
"""
SENSOR_TICKS = """
query($selector: SensorSelector!) { sensorOrError(sensorSelector: $selector) {
  __typename ... on Sensor { sensorState { ticks(limit: 1) { status } } } } }
"""
# The snapshot load and the staging views on it (with their dbt tests): a short run that
# writes raw, builds models and records check results in app.data_quality_checks.
SMALL_SELECTION = [
    ["raw", "markets"],
    ["raw", "global_market"],
    ["staging", "stg_markets"],
    ["staging", "stg_global_market"],
]


def test_dagster_dev_runs_a_launched_run_on_an_empty_database(
    empty_database: str, sim_server: RunningSimulator, tmp_path: Path, project_root: Path
) -> None:
    """`dagster dev -w workspace.yaml`: the UI's code location loads, a run launched through it
    succeeds, and the daemon's run sensor records it in app.pipeline_runs."""
    port = free_port()
    logs = tmp_path / "logs"
    logs.mkdir()
    dev = start(
        "dagster-dev",
        [DAGSTER, "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        env=standalone_env(empty_database, sim_server, tmp_path / "dagster_home"),
        cwd=project_root,
        log_dir=logs,
    )
    try:
        client = DagsterGraphQL(f"http://127.0.0.1:{port}")

        def location_loaded() -> bool:
            try:
                client.find_job("ingest_job")
            except httpx.HTTPError:
                return False  # the webserver is not up yet
            except RuntimeError as exc:
                if "failed" in str(exc):  # a load error: no point waiting
                    pytest.fail(f"{exc}\n{dev.tail()}")
                return False  # still loading
            return True

        wait_until(
            location_loaded,
            timeout_s=STARTUP_TIMEOUT_S,
            what="the workspace's code location in dagster dev",
            watch=[dev],
        )
        location, repository = client.find_job("ingest_job")
        assert location == "cryptoflow"  # workspace.yaml's location_name

        # a run status sensor only sees runs finishing after its first tick
        sensor = {
            "repositoryLocationName": location,
            "repositoryName": repository,
            "sensorName": "run_success_sensor",
        }

        def sensor_ticked() -> bool:
            found = client.query(SENSOR_TICKS, {"selector": sensor})["sensorOrError"]
            return bool(found.get("sensorState", {}).get("ticks"))

        wait_until(
            sensor_ticked,
            timeout_s=STARTUP_TIMEOUT_S,
            what="a run_success_sensor tick",
            watch=[dev],
        )

        params = {
            "selector": {
                "repositoryLocationName": location,
                "repositoryName": repository,
                "jobName": FIRST_RUN_JOB,  # every asset: the run takes the selection below
                "assetSelection": [{"path": path} for path in SMALL_SELECTION],
            },
            "runConfigData": {},
        }
        launched = client.query(LAUNCH_ASSETS, {"params": params})["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        run_id = launched["run"]["runId"]

        def run_status() -> str:
            return str(client.query(RUN_STATUS, {"runId": run_id})["runOrError"]["status"])

        wait_until(
            lambda: run_status() in {"SUCCESS", "FAILURE", "CANCELED"},
            timeout_s=RUN_TIMEOUT_S,
            what=f"run {run_id} finished",
            watch=[dev],
            interval_s=1.0,
        )
        assert run_status() == "SUCCESS", dev.tail()
        # the run's log, as `cryptoflow up` reads it for the backfill's progress line
        messages, cursor = client.log_messages(run_id, None)
        assert cursor and any("coingecko_snapshots" in message for message in messages)
        assert client.log_messages(run_id, cursor)[0] == []
        progress = [f"{HISTORY_PROGRESS_PREFIX} market_chart 3/50 coins, 4 API calls"]
        assert backfill_step(messages + progress, "") == "market_chart 3/50 coins, 4 API calls"
        assert backfill_step(messages, "ohlc 50/50 coins, 151 API calls") == (
            "ohlc 50/50 coins, 151 API calls"
        )

        def recorded_status() -> str | None:
            rows = query(
                empty_database,
                "select status from app.pipeline_runs where run_id = :run_id",
                run_id=run_id,
            )
            return rows[0][0] if rows else None

        wait_until(
            lambda: recorded_status() is not None,
            timeout_s=60,
            what="the run recorded in app.pipeline_runs by the daemon's sensor",
            watch=[dev],
            interval_s=1.0,
        )
        assert recorded_status() == "SUCCESS"
        checks = query(
            empty_database,
            "select count(*) from app.data_quality_checks where run_id = :run_id",
            run_id=run_id,
        )
        assert checks[0][0] > 0  # the staging models' dbt tests
    finally:
        stop([dev], sig=signal.SIGINT, timeout_s=30)  # what Ctrl-C does
    assert dev.process.poll() is not None
