"""The whole platform the way a user starts it: `make up` on free ports, embedded services,
the simulator as the data source; checked only through public interfaces, then stopped."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
import websockets

from cryptoflow.services import free_port

pytestmark = pytest.mark.e2e
PROJECT_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 600


@dataclass
class RunningPlatform:
    process: subprocess.Popen[bytes]
    data_dir: Path
    api: str
    dagster: str
    log: Path
    seen_pids: set[int]

    def graphql(self, query: str) -> dict:
        response = httpx.post(f"{self.dagster}/graphql", json={"query": query}, timeout=30)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]


def _wait(predicate, *, timeout_s: float, what: str, platform: RunningPlatform) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if platform.process.poll() is not None:
            pytest.fail(f"`make up` exited early:\n{platform.log.read_text()[-4000:]}")
        platform.seen_pids.update(_descendants(platform.process.pid))
        if predicate():
            return
        time.sleep(1.0)
    pytest.fail(f"{what} not reached in {timeout_s} s:\n{platform.log.read_text()[-4000:]}")


def _descendants(pid: int) -> set[int]:
    try:
        return {child.pid for child in psutil.Process(pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return set()


def _first_run_succeeded(platform: RunningPlatform) -> bool:
    try:
        data = platform.graphql(
            "{ runsOrError(filter: {statuses: [SUCCESS]}) { ... on Runs { results { runId } } } }"
        )
    except (httpx.HTTPError, AssertionError):
        return False
    return bool(data["runsOrError"]["results"])


def _api_ready(platform: RunningPlatform) -> bool:
    try:
        return httpx.get(f"{platform.api}/readyz", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    data_dir = tmp_path_factory.mktemp("platform")
    api_port, dagster_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        CRYPTOFLOW_DATA_DIR=str(data_dir),
        CRYPTOFLOW_SOURCE="sim",
        CRYPTOFLOW_API_PORT=str(api_port),
        CRYPTOFLOW_DAGSTER_PORT=str(dagster_port),
        CRYPTOFLOW_DAGSTER_GRPC_PORT=str(free_port()),
        CRYPTOFLOW_SIM_PORT=str(free_port()),
        CRYPTOFLOW_EMBEDDED_REDIS_PORT=str(free_port()),
    )
    log = data_dir / "make-up.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["make", "-s", "up"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = RunningPlatform(
        process,
        data_dir,
        f"http://127.0.0.1:{api_port}",
        f"http://127.0.0.1:{dagster_port}",
        log,
        set(),
    )
    try:
        _wait(
            lambda: _api_ready(running), timeout_s=STARTUP_TIMEOUT_S, what="API", platform=running
        )
        _wait(
            lambda: _first_run_succeeded(running),
            timeout_s=STARTUP_TIMEOUT_S,
            what="first successful run",
            platform=running,
        )
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
            try:
                process.wait(90)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_dashboard_shows_fifty_coins(platform: RunningPlatform) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
            ],
        )
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{platform.api}/")
        page.wait_for_function(
            "document.querySelector('[data-chart=\"Market treemap\"]')"
            "?.getAttribute('data-points') === '50'",
            timeout=60_000,
        )
        page.goto(f"{platform.api}/market")
        page.wait_for_function(
            "document.querySelectorAll('[data-testid=market-table] tbody tr').length === 50",
            timeout=60_000,
        )
        browser.close()
    assert errors == []


def test_live_tick_arrives_on_websocket(platform: RunningPlatform) -> None:
    async def first_ticks() -> list[dict]:
        ws_url = platform.api.replace("http", "ws") + "/api/v1/ws/prices"
        async with websockets.connect(ws_url) as ws:
            snapshot = json.loads(await asyncio.wait_for(ws.recv(), 30))
            assert snapshot["type"] == "snapshot"
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if frame["type"] == "ticks" and frame["data"]:
                    return list(frame["data"])

    ticks = asyncio.run(first_ticks())
    assert {"coin_id", "symbol", "price_usd", "ts"} <= set(ticks[0])
    assert ticks[0]["price_usd"] > 0


def test_dagster_lists_assets_schedules_and_a_successful_run(platform: RunningPlatform) -> None:
    data = platform.graphql(
        "{ assetNodes { assetKey { path } } "
        "  workspaceOrError { ... on Workspace { locationEntries { locationOrLoadError { "
        "    ... on RepositoryLocation { repositories { schedules { name cronSchedule } } } } } } } }"
    )
    keys = {"/".join(node["assetKey"]["path"]) for node in data["assetNodes"]}
    assert {"raw/markets", "raw/market_chart"} <= keys
    assert any(key.endswith("mv_latest_market_data") for key in keys)
    schedules = {
        s["name"]: s["cronSchedule"]
        for entry in data["workspaceOrError"]["locationEntries"]
        for repo in entry["locationOrLoadError"]["repositories"]
        for s in repo["schedules"]
    }
    assert "*/10 * * * *" in schedules.values()
    assert _first_run_succeeded(platform)


def test_dbt_build_from_the_project_folder(platform: RunningPlatform) -> None:
    env_file = platform.data_dir / "cryptoflow.env"
    result = subprocess.run(
        ["bash", "-c", f"source {env_file} && ../.venv/bin/dbt build --quiet"],
        cwd=PROJECT_ROOT / "dbt_project",
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_pipeline_and_quality_endpoints_show_the_run(platform: RunningPlatform) -> None:
    deadline = time.monotonic() + 120
    runs: list[dict] = []
    while time.monotonic() < deadline and not runs:  # the run-status sensor records it
        runs = httpx.get(f"{platform.api}/api/v1/pipeline/runs", timeout=10).json()["data"]
        time.sleep(1)
    assert any(run["status"] == "SUCCESS" for run in runs)
    checks = httpx.get(f"{platform.api}/api/v1/quality/checks", timeout=10)
    assert checks.status_code == 200
    assert checks.json()["data"], "no check results recorded"


def test_zz_stop_leaves_no_process(platform: RunningPlatform) -> None:
    """Ctrl-C: everything `make up` started is gone, embedded PostgreSQL included."""
    platform.seen_pids.update(_descendants(platform.process.pid))
    os.killpg(platform.process.pid, signal.SIGINT)
    platform.process.wait(90)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        alive = [pid for pid in platform.seen_pids if psutil.pid_exists(pid)]
        alive = [p for p in alive if psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
        leftovers = [
            proc.pid
            for proc in psutil.process_iter(["cmdline"])
            if str(platform.data_dir) in " ".join(proc.info["cmdline"] or [])
        ]
        if not alive and not leftovers:
            break
        time.sleep(0.5)
    assert alive == [] and leftovers == []
