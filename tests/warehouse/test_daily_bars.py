"""Daily bars from the finest data of each day: after a fresh backfill from the simulator, the
last 90 days of every coin are real candles (hourly history), older days close-only, and the
history endpoint's hourly points are hourly for 90 days."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.warehouse.warehouse_support import execute

# The windows whose close-only share the closing note of #20 reports (docs/quality.md).
WINDOWS = (7, 30, 90, 365)


def close_only_shares(database_url: str) -> dict[int, float]:
    """The share (%) of close-only bars among every coin's last `days` bars, per window."""
    rows = execute(
        database_url,
        """
        select window_days,
            round(100.0 * count(*) filter (where grain = 'daily_close') / count(*), 1)
        from (
            select grain, date_day, max(date_day) over (partition by coin_id) as newest_day
            from marts.fact_daily_ohlcv
        ) as bars
        cross join unnest(cast(:windows as integer[])) as window_days
        where date_day > newest_day - window_days
        group by 1
        """,
        windows=list(WINDOWS),
    )
    return {int(days): float(share) for days, share in rows}


def test_every_one_of_the_last_90_bars_is_a_candle(warehouse_template: Any) -> None:
    sim_now: datetime = warehouse_template.sim_now
    # in the first hour of a UTC day its bar has a price or two: that bar may be close-only
    skip_newest = sim_now - sim_now.replace(hour=0, minute=0) < timedelta(hours=1)
    bars = execute(
        warehouse_template.url,
        """
        select coin_id, date_day, grain, points, high > low as ranged
        from (
            select *, row_number() over (partition by coin_id order by date_day desc) as age
            from marts.fact_daily_ohlcv
        ) as bars
        where age <= 90 and (age > 1 or not :skip_newest)
        """,
        skip_newest=skip_newest,
    )

    assert len(bars) == 50 * (89 if skip_newest else 90)
    assert [bar for bar in bars if not bar.ranged or bar.grain == "daily_close"] == []
    assert {bar.grain for bar in bars} == {"hourly"}  # 3 snapshots do not make a snapshot day
    whole_days = [bar for bar in bars if bar.date_day < sim_now.date()]
    assert min(bar.points for bar in whole_days) >= 24  # 24 hourly points (+ 4-hour candles)


def test_older_days_are_close_only_and_say_so(warehouse_template: Any) -> None:
    shares = close_only_shares(warehouse_template.url)
    print(f"\nclose-only bars per window (days: %): {shares}")

    assert shares[7] == shares[30] == shares[90] == 0.0 or (
        # the newest day in its first hour
        warehouse_template.sim_now.hour == 0 and shares[7] <= 100 / 7
    )
    # beyond 90 days CoinGecko gives one point a day: 275 of 365 days are close-only
    assert 70 <= shares[365] <= 76
    [(points, ranged)] = execute(
        warehouse_template.url,
        "select max(points), bool_or(high > low) from marts.fact_daily_ohlcv "
        "where grain = 'daily_close' and date_day < current_date - 100",
    )
    assert points == 1 and ranged is False


def test_hourly_history_has_a_point_every_hour_for_90_days(warehouse_template: Any) -> None:
    [(hours, points)] = execute(
        warehouse_template.url,
        """
        select extract(epoch from max(hour_at) - min(hour_at)) / 3600 + 1, count(*)
        from marts.fact_price_hourly
        where coin_id = 'bitcoin'
            and snapshot_at > (
                select max(snapshot_at) from marts.fact_price_hourly where coin_id = 'bitcoin'
            ) - interval '90 days'
        """,
    )
    assert points == hours >= 90 * 24 - 1
