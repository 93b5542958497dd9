"""The warehouse's numbers agree with an independent Polars/NumPy computation from raw rows."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import polars as pl
import pytest

import tests.warehouse.warehouse_reference as reference

RTOL = 1e-9


@pytest.fixture(scope="module")
def bars(warehouse_template: Any) -> pl.DataFrame:
    """Reading the template directly is safe: nothing writes to it after the build."""
    return reference.daily_ohlcv(warehouse_template.url)


@pytest.fixture(scope="module")
def periods(bars: pl.DataFrame) -> tuple[dict[tuple[str, int], reference.PeriodReturns], date]:
    return reference.period_returns(bars)


def test_daily_ohlcv_matches_raw_rows(warehouse_template: Any, bars: pl.DataFrame) -> None:
    warehouse = reference.read_frame(
        warehouse_template.url,
        "select coin_id, date_day, open, high, low, close, volume, grain, points "
        "from marts.fact_daily_ohlcv order by coin_id, date_day",
    )

    assert warehouse.height == bars.height > 50 * 365
    assert warehouse.select("coin_id", "date_day").equals(bars.select("coin_id", "date_day"))
    for column in ("open", "high", "low", "close", "volume"):
        np.testing.assert_allclose(warehouse[column], bars[column], rtol=RTOL, err_msg=column)
    for column in ("grain", "points"):
        assert warehouse[column].to_list() == bars[column].to_list(), column
    # intraday observations and 30-minute candles make real bars, not one price per day
    assert (warehouse["high"] > warehouse["low"]).sum() > 50


def test_volatility_drawdown_and_sharpe_match(warehouse_template: Any, periods: Any) -> None:
    by_key, as_of = periods
    expected = reference.volatility_rows(by_key, risk_free_rate=0.0)
    warehouse = reference.read_frame(
        warehouse_template.url,
        "select coin_id, period_days, as_of_date, volatility, max_drawdown, sharpe_ratio "
        "from analytics.analytics_volatility",
    )

    assert set(zip(warehouse["coin_id"], warehouse["period_days"], strict=True)) == set(expected)
    assert {days for _, days in expected} == set(reference.PERIODS)  # 365 days included
    assert set(warehouse["as_of_date"]) == {as_of}
    for row in warehouse.iter_rows(named=True):
        want = expected[(row["coin_id"], row["period_days"])]
        for metric in ("volatility", "max_drawdown", "sharpe_ratio"):
            np.testing.assert_allclose(row[metric], want[metric], rtol=RTOL, err_msg=metric)


def test_correlation_matches(warehouse_template: Any, periods: Any) -> None:
    by_key, _ = periods
    coins = reference.top_coins_by_market_cap(warehouse_template.url)
    expected = reference.correlation_rows(by_key, coins)
    warehouse = reference.read_frame(
        warehouse_template.url,
        "select coin_a_id, coin_b_id, period_days, correlation from analytics.analytics_correlation",
    )

    keys = list(
        zip(warehouse["coin_a_id"], warehouse["coin_b_id"], warehouse["period_days"], strict=True)
    )
    assert set(keys) == set(expected)
    assert len(expected) == 15 * 15 * len(reference.PERIODS)
    np.testing.assert_allclose(warehouse["correlation"], [expected[key] for key in keys], rtol=RTOL)
