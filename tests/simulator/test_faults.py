"""Fault injection: configured rates are met exactly, and faults look like the real ones."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
import pytest

from cryptoflow.services import free_port
from cryptoflow.simulator.faults import FaultConfig, FaultInjector, FaultKind

MARKETS = "/coins/markets?vs_currency=usd&per_page=10"


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.25, 0.5, 1.0])
def test_fault_decisions_meet_the_rate_in_every_window(rate: float) -> None:
    injector = FaultInjector(FaultConfig(rate_5xx=rate), seed=3)
    hits = [injector.hit(FaultKind.SERVER_ERROR) for _ in range(1000)]
    for n in (10, 100, 1000):
        assert abs(sum(hits[:n]) - n * rate) < 1
    again = FaultInjector(FaultConfig(rate_5xx=rate), seed=3)
    assert [again.hit(FaultKind.SERVER_ERROR) for _ in range(1000)] == hits


def test_429_carries_retry_after_at_the_configured_rate(sim_server) -> None:
    sim_server.set_faults(rate_429=0.2, retry_after_s=7)
    responses = [httpx.get(f"{sim_server.base_url}{MARKETS}") for _ in range(50)]
    limited = [r for r in responses if r.status_code == 429]
    assert len(limited) == 10
    assert all(r.headers["retry-after"] == "7" for r in limited)
    assert all(r.json()["status"]["error_code"] == 429 for r in limited)
    assert all(r.status_code == 200 for r in responses if r not in limited)
    assert httpx.get(f"{sim_server.base_url}/ping").status_code == 200  # health is never faulted
    assert sim_server.stats()["injected"]["rate_limit"] == 10


def test_server_errors_include_html_pages(sim_server) -> None:
    sim_server.set_faults(rate_5xx=1.0)
    responses = [httpx.get(f"{sim_server.base_url}/global") for _ in range(4)]
    assert sorted(r.status_code for r in responses) == [500, 502, 503, 504]
    assert any(r.headers["content-type"].startswith("text/html") for r in responses)


def test_malformed_rows_truncated_bodies_and_missing_coins(sim_server) -> None:
    sim_server.set_faults(malformed_rate=0.1)
    rows = httpx.get(f"{sim_server.base_url}/coins/markets?vs_currency=usd&per_page=40").json()
    broken = [
        row
        for row in rows
        if row["id"] is None
        or not isinstance(row["current_price"], float)
        or row["market_cap"] < 0
        or not row["last_updated"].endswith("Z")
    ]
    assert len(broken) == 4  # one of each kind: "abc" price, null id, bad date, negative cap

    sim_server.set_faults(malformed_rate=0.0, truncated_rate=0.5)
    bodies = [httpx.get(f"{sim_server.base_url}/global").content for _ in range(10)]
    undecodable = 0
    for body in bodies:
        try:
            orjson.loads(body)
        except orjson.JSONDecodeError:
            undecodable += 1
    assert undecodable == 5

    sim_server.set_faults(truncated_rate=0.0, missing_coin_rate=1.0)
    assert len(httpx.get(f"{sim_server.base_url}{MARKETS}").json()) == 9


def test_latency_is_added(sim_server) -> None:
    sim_server.set_faults(latency_ms=250)
    started = time.monotonic()
    assert httpx.get(f"{sim_server.base_url}/global").status_code == 200
    assert time.monotonic() - started >= 0.25


def test_admin_endpoint_refuses_bad_settings(sim_server) -> None:
    bad = httpx.post(f"{sim_server.root_url}/_sim/faults", json={"rate_429": 2})
    assert bad.status_code == 400 and "rate_429" in bad.json()["error"]
    unknown = httpx.post(f"{sim_server.root_url}/_sim/faults", json={"rate_teapot": 1})
    assert unknown.status_code == 400
    assert httpx.get(f"{sim_server.root_url}/_sim/faults").json() == FaultConfig().model_dump()


def test_cli_serves_the_simulator_with_faults(tmp_path: Path) -> None:
    port = free_port()
    cli = Path(sys.executable).parent / "cryptoflow"
    args = [str(cli), "sim", "--port", str(port), "--seed", "42", "--rate-429", "1"]
    env = {
        **os.environ,
        "CRYPTOFLOW_SIM_RETRY_AFTER": "3",
        "CRYPTOFLOW_SIM_NOW": "2025-06-01T00:00:00",
    }
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}/api/v3"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/ping", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        limited = httpx.get(f"{base}{MARKETS}")
        assert limited.status_code == 429 and limited.headers["retry-after"] == "3"
        httpx.post(f"http://127.0.0.1:{port}/_sim/faults", json={"rate_429": 0})
        rows = httpx.get(f"{base}/coins/markets?vs_currency=usd&per_page=50&page=1").json()
        assert len(rows) == 50
        assert rows[0]["last_updated"] == datetime(2025, 6, 1, tzinfo=UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.000Z"
        )
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_cli_refuses_a_bad_rate() -> None:
    cli = Path(sys.executable).parent / "cryptoflow"
    done = subprocess.run(
        [str(cli), "sim", "--rate-5xx", "1.5"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "--rate-5xx" in done.stderr  # the option as typed


def test_cli_takes_port_and_seed_from_the_settings(tmp_path: Path) -> None:
    """`cryptoflow sim` without --port/--seed serves on CRYPTOFLOW_SIM_PORT with
    CRYPTOFLOW_SIM_SEED, read by the one settings object (as `cryptoflow up` reads them)."""
    port = free_port()
    cli = Path(sys.executable).parent / "cryptoflow"
    env = {**os.environ, "CRYPTOFLOW_SIM_PORT": str(port), "CRYPTOFLOW_SIM_SEED": "7"}
    process = subprocess.Popen(
        [str(cli), "sim"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v3/ping", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.stderr is not None
    assert f"http://127.0.0.1:{port}/api/v3 (seed 7)" in process.stderr.read()
