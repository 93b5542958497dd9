"""The CoinGecko client against the simulator: rate limit, retries, Retry-After, clear errors."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from cryptoflow.coingecko import (
    MARKETS_PER_PAGE_MAX,
    OHLC_DAYS,
    PRICE_CHANGE_WINDOWS,
    CoinGeckoClient,
    CoinGeckoError,
    api_key_header,
    price_change_field,
    retry_after_seconds,
)


def client_for(sim, **options) -> CoinGeckoClient:
    settings: dict[str, Any] = {"rate_limit_per_min": 100_000, "max_retries": 3, "backoff_s": 0.05}
    settings.update(options)
    return CoinGeckoClient(base_url=sim.base_url, **settings)


def test_retry_after_is_waited_out(sim_server) -> None:
    sim_server.set_faults(rate_429=0.5, retry_after_s=1)
    with client_for(sim_server) as client:
        started = time.monotonic()
        for _ in range(2):
            assert len(client.markets(per_page=3)) == 3
        elapsed = time.monotonic() - started
    limited = sim_server.stats()["injected"]["rate_limit"]
    assert limited >= 1 and client.calls == 2 + limited
    assert elapsed >= limited * 1.0


def test_persistent_5xx_ends_in_an_error_naming_url_and_status(sim_server) -> None:
    sim_server.set_faults(rate_5xx=1.0)
    with client_for(sim_server, max_retries=2) as client, pytest.raises(CoinGeckoError) as err:
        client.global_data()
    assert client.calls == 3
    assert err.value.url == f"{sim_server.base_url}/global"
    assert err.value.status in {500, 502, 503, 504}
    assert "failed after 3 attempts" in str(err.value) and "/global" in str(err.value)


def test_truncated_json_and_timeouts_are_retried(sim_server) -> None:
    sim_server.set_faults(truncated_rate=0.5)
    with client_for(sim_server) as client:
        assert client.global_data()["markets"] > 0
        assert client.global_data()["markets"] > 0
    assert sim_server.stats()["injected"]["truncated"] >= 1

    sim_server.set_faults(truncated_rate=0.0, latency_ms=400)
    with client_for(sim_server, timeout_s=0.1, max_retries=1) as client:
        with pytest.raises(CoinGeckoError, match="ReadTimeout"):
            client.global_data()
        assert client.calls == 2


def test_client_errors_are_not_retried(sim_server) -> None:
    with client_for(sim_server) as client, pytest.raises(CoinGeckoError) as err:
        client.market_chart("no-such-coin", days=1)
    assert err.value.status == 404 and client.calls == 1
    assert "coin not found" in str(err.value)


def test_rate_limit_spaces_the_calls(sim_server) -> None:
    with client_for(sim_server, rate_limit_per_min=600) as client:  # 0.1 s apart, burst of 5
        started = time.monotonic()
        for _ in range(10):
            client.ping()
        assert time.monotonic() - started >= 0.45


def test_api_key_header_follows_the_host() -> None:
    assert api_key_header("https://pro-api.coingecko.com/api/v3") == "x-cg-pro-api-key"
    assert api_key_header("https://api.coingecko.com/api/v3") == "x-cg-demo-api-key"
    pro = CoinGeckoClient(base_url="https://pro-api.coingecko.com/api/v3", api_key="k")
    assert pro.headers["x-cg-pro-api-key"] == "k"
    keyless = CoinGeckoClient(base_url="https://api.coingecko.com/api/v3")
    assert not any(h.startswith("x-cg-") for h in keyless.headers)


def test_retry_after_parses_seconds_and_dates() -> None:
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 50 < (retry_after_seconds(in_a_minute) or 0) <= 60


def test_the_simulator_serves_what_the_client_asks_with_its_constants(sim_server) -> None:
    """One definition of CoinGecko's API (cryptoflow.coingecko), read by the simulator too."""
    with client_for(sim_server) as client:
        rows = client.markets(per_page=MARKETS_PER_PAGE_MAX)
        assert len(rows) == 50  # every simulated coin on one maximal page
        assert all(price_change_field(w) in rows[0] for w in PRICE_CHANGE_WINDOWS)
        for days in OHLC_DAYS:
            assert client.ohlc("bitcoin", days=days), days
        with pytest.raises(CoinGeckoError, match="per_page"):
            client.markets(per_page=MARKETS_PER_PAGE_MAX + 1)
        with pytest.raises(CoinGeckoError, match="invalid days"):
            client.ohlc("bitcoin", days=OHLC_DAYS[0] + 1)
