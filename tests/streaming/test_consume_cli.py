"""`cryptoflow consume` as users run it: a process fed by the simulator, writing Redis."""

from __future__ import annotations

import os
import subprocess

import orjson
import redis

from cryptoflow.simulator.stream import StreamConfig
from tests.streaming.live_support import VENV_BIN, eventually, simulator_stream


def _env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    return {**env, "CRYPTOFLOW_LOG_LEVEL": "warning", **overrides}


async def test_consume_streams_the_simulator_into_redis(
    redis_url: str, redis_namespace: str, tmp_path
) -> None:
    client = redis.Redis.from_url(redis_url)
    latest_key = f"{redis_namespace}:latest"
    async with simulator_stream(StreamConfig(tick_interval_s=0.1)) as stream_url:
        env = _env(
            REDIS_URL=redis_url,
            CRYPTOFLOW_REDIS_NAMESPACE=redis_namespace,
            PRICE_STREAM_URL=stream_url,
        )
        process = subprocess.Popen([str(VENV_BIN / "cryptoflow"), "consume"], env=env, cwd=tmp_path)
        try:
            await eventually(lambda: client.hlen(latest_key) >= 50, timeout_s=30, what="50 coins")
        finally:
            process.terminate()
            process.wait(10)
    tick = orjson.loads(client.hget(latest_key, "bitcoin") or b"{}")
    client.delete(latest_key)
    client.close()
    assert tick["symbol"] == "btc" and tick["price_usd"] > 0


def test_consume_without_redis_url_is_a_clear_error(tmp_path) -> None:
    result = subprocess.run(
        [str(VENV_BIN / "cryptoflow"), "consume"],
        env=_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "bad setting REDIS_URL='': not set: point it at Redis, or run `cryptoflow up`"
    ]
