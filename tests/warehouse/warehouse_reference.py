"""An independent computation of the warehouse's numbers, straight from the raw tables.

Polars and NumPy only, following the conventions as written in
`dbt_project/models/analytics/_analytics__models.yml` (not the dbt SQL), so the tests compare two
implementations of the same definitions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl
import sqlalchemy as sa

from cryptoflow.db import make_engine
from cryptoflow.dbt_project import ANALYTICS_PERIODS, CORRELATION_TOP_N, OHLCV_GRAIN_SPACING_S

# The models' parameters, from their one definition (dbt_project.yml's vars)
PERIODS = ANALYTICS_PERIODS
TOP_N_CORRELATION = CORRELATION_TOP_N
DAYS_PER_YEAR = 365


def read_frame(database_url: str, sql: str) -> pl.DataFrame:
    engine = make_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            result = conn.execute(sa.text(sql))
            return pl.DataFrame(
                [tuple(row) for row in result], schema=list(result.keys()), orient="row"
            )
    finally:
        engine.dispose()


def price_observations(database_url: str) -> pl.DataFrame:
    """Every (coin, instant, price, volume): snapshots win over history points at one instant."""
    snapshots = read_frame(
        database_url,
        "select id as coin_id, last_updated as ts, current_price as price, "
        "total_volume as volume, _dlt_load_id as load_id, 0 as priority from raw.markets",
    )
    history = read_frame(
        database_url,
        "select coin_id, ts, price, total_volume as volume, _dlt_load_id as load_id, "
        "1 as priority from raw.market_chart",
    )
    both = pl.concat([snapshots, history.cast(snapshots.schema)])
    return (
        both.filter(pl.col("price").is_not_null())
        .sort(["coin_id", "ts", "priority", "load_id"], descending=[False, False, False, True])
        .unique(subset=["coin_id", "ts"], keep="first", maintain_order=True)
        .with_columns(pl.col("ts").dt.convert_time_zone("UTC").dt.date().alias("date_day"))
    )


def _slots(spacing_s: int) -> pl.Expr:
    """The `spacing_s`-long slots since the epoch that an observation falls in."""
    return pl.col("ts").dt.epoch("s") // spacing_s


def _grain_supported(slots: str, grain: str) -> pl.Expr:
    """Whether `slots` fill half of what `grain`'s spacing gives over the observed part of the
    day (at least 2), as the model's yml describes the grain."""
    needed = (pl.col("observed_s") / OHLCV_GRAIN_SPACING_S[grain] / 2).ceil().clip(lower_bound=2)
    return pl.col(slots) >= needed


def daily_ohlcv(database_url: str) -> pl.DataFrame:
    """Bars per coin and UTC day; candles count only when they open and close in that day (a
    midnight close ends the day before); each bar's grain and points."""
    observations = price_observations(database_url).sort(["coin_id", "ts"])
    bars = observations.group_by(["coin_id", "date_day"]).agg(
        pl.col("price").first().alias("open"),
        pl.col("price").max().alias("high"),
        pl.col("price").min().alias("low"),
        pl.col("price").last().alias("close"),
        pl.col("volume").last().alias("volume"),
        pl.len().alias("price_points"),
        _slots(OHLCV_GRAIN_SPACING_S["snapshots"])
        .filter(pl.col("priority") == 0)
        .n_unique()
        .alias("snapshot_slots"),
        _slots(OHLCV_GRAIN_SPACING_S["hourly"]).n_unique().alias("hourly_slots"),
        pl.col("ts").max().alias("last_ts"),
    )
    candles = (
        read_frame(database_url, "select coin_id, ts, high, low from raw.ohlc")
        .with_columns(pl.col("ts").dt.convert_time_zone("UTC"))
        .sort(["coin_id", "ts"])
        .with_columns(pl.col("ts").shift(1).over("coin_id").alias("opened_at"))
        .filter(pl.col("ts") <= pl.col("opened_at").dt.truncate("1d") + timedelta(days=1))
        .group_by(["coin_id", pl.col("opened_at").dt.date().alias("date_day")])
        .agg(
            pl.col("high").max().alias("candle_high"),
            pl.col("low").min().alias("candle_low"),
            pl.len().alias("candle_points"),
        )
    )
    newest = observations.group_by("coin_id").agg(
        pl.col("ts").max().dt.convert_time_zone("UTC").alias("newest_at")
    )
    day_start = pl.col("date_day").cast(pl.Datetime("us", "UTC"))
    return (
        bars.join(candles, on=["coin_id", "date_day"], how="left")
        .join(newest, on="coin_id")
        .with_columns(
            pl.max_horizontal("high", "candle_high").alias("high"),
            pl.min_horizontal("low", "candle_low").alias("low"),
            pl.col("candle_points").fill_null(0).cast(pl.Int64),
            ((pl.col("newest_at") - day_start).dt.total_seconds())
            .clip(upper_bound=86_400)
            .alias("observed_s"),
        )
        .with_columns(
            pl.when(_grain_supported("snapshot_slots", "snapshots"))
            .then(pl.lit("snapshots"))
            .when(_grain_supported("hourly_slots", "hourly"))
            .then(pl.lit("hourly"))
            .when(_grain_supported("candle_points", "ohlc_4h"))
            .then(pl.lit("ohlc_4h"))
            .otherwise(pl.lit("daily_close"))
            .alias("grain"),
            (pl.col("price_points") + pl.col("candle_points")).alias("points"),
        )
        .select(
            ["coin_id", "date_day", "open", "high", "low", "close", "volume", "grain", "points"]
        )
        .sort(["coin_id", "date_day"])
    )


@dataclass(frozen=True)
class PeriodReturns:
    """One coin's period: the N + 1 closes and the N daily log returns between them."""

    closes: np.ndarray
    returns: np.ndarray


def period_returns(bars: pl.DataFrame) -> tuple[dict[tuple[str, int], PeriodReturns], date]:
    """Coins with all N returns in each period ending the day before the newest bar."""
    newest = bars["date_day"].max()
    assert isinstance(newest, date), "no daily bars"
    as_of = newest - timedelta(days=1)
    by_coin = {
        coin: dict(zip(frame["date_day"].to_list(), frame["close"].to_list(), strict=True))
        for (coin,), frame in bars.group_by(["coin_id"])
    }
    periods: dict[tuple[str, int], PeriodReturns] = {}
    for coin, closes_by_day in by_coin.items():
        for days in PERIODS:
            window = [as_of - timedelta(days=k) for k in range(days, -1, -1)]
            if not all(day in closes_by_day for day in window):
                continue
            closes = np.array([closes_by_day[day] for day in window])
            periods[(coin, days)] = PeriodReturns(closes, np.diff(np.log(closes)))
    return periods, as_of


def volatility_rows(
    periods: dict[tuple[str, int], PeriodReturns], risk_free_rate: float
) -> dict[tuple[str, int], dict[str, float]]:
    rows = {}
    for key, period in periods.items():
        volatility = np.std(period.returns, ddof=1) * math.sqrt(DAYS_PER_YEAR)
        drawdown = np.max(1 - period.closes / np.maximum.accumulate(period.closes))
        sharpe = (np.mean(period.returns) * DAYS_PER_YEAR - risk_free_rate) / volatility
        rows[key] = {"volatility": volatility, "max_drawdown": drawdown, "sharpe_ratio": sharpe}
    return rows


def top_coins_by_market_cap(database_url: str) -> list[str]:
    newest = read_frame(
        database_url,
        "select id, market_cap_rank from raw.markets "
        "where _dlt_load_id = (select max(_dlt_load_id) from raw.markets)",
    )
    return newest.sort("market_cap_rank")["id"].head(TOP_N_CORRELATION).to_list()


def correlation_rows(
    periods: dict[tuple[str, int], PeriodReturns], coins: list[str]
) -> dict[tuple[str, str, int], float]:
    rows = {}
    for days in PERIODS:
        present = [coin for coin in coins if (coin, days) in periods]
        for a in present:
            for b in present:
                rows[(a, b, days)] = (
                    1.0
                    if a == b
                    else float(
                        np.corrcoef(periods[(a, days)].returns, periods[(b, days)].returns)[0, 1]
                    )
                )
    return rows
