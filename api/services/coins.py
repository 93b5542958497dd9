"""Coin reads: the list and one coin from the latest-snapshot MV, history and candles from facts."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas.coins import (
    CoinAnalytics,
    CoinHistory,
    CoinListQuery,
    CoinOhlcv,
    CoinPublic,
    CoinsPublic,
    CorrelatedCoin,
    RiskMetrics,
    SparklineQuery,
    SparklinesPublic,
)
from api.schemas.common import SortOrder
from api.services.rows import fetch_dicts

COIN_COLUMNS = """
    coin_id, symbol, name, image_url, market_cap_rank, category, snapshot_at,
    price_usd, market_cap_usd, volume_24h_usd, price_change_1h_pct, price_change_24h_pct,
    price_change_7d_pct, high_24h_usd, low_24h_usd, circulating_supply, total_supply,
    max_supply, ath_usd, atl_usd, fully_diluted_valuation_usd
"""


async def coin_exists(session: AsyncSession, coin_id: str) -> bool:
    """Whether the warehouse knows `coin_id` (holdings and watchlists may only name these)."""
    statement = text("select exists (select 1 from marts.dim_coin where coin_id = :coin_id)")
    return bool(await session.scalar(statement, {"coin_id": coin_id}))


def like_pattern(term: str) -> str:
    """A substring ILIKE pattern in which the user's `%`, `_` and `\\` are literal."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_coins(session: AsyncSession, query: CoinListQuery) -> CoinsPublic:
    """One page of the MV plus the total count, in one statement (the count survives empty pages)."""
    # Identifiers come from the validated enums, never from the request text.
    sort_column = query.sort.value
    direction = "desc" if query.order is SortOrder.DESC else "asc"
    statement = text(f"""
        with filtered as (
            select {COIN_COLUMNS}
            from marts.mv_latest_market_data
            where cast(:pattern as text) is null
                or coin_id ilike :pattern
                or symbol ilike :pattern
                or name ilike :pattern
        )
        select total.row_count, page.*
        from (select count(*) as row_count from filtered) as total
        left join lateral (
            select * from filtered
            order by {sort_column} {direction} nulls last, coin_id
            limit :limit offset :offset
        ) as page on true
    """)
    params = {
        "pattern": like_pattern(query.search) if query.search else None,
        "limit": query.per_page,
        "offset": query.offset,
    }
    rows = await fetch_dicts(session, statement, params)
    return CoinsPublic.model_validate(
        {
            "data": [row for row in rows if row["coin_id"] is not None],
            "count": rows[0]["row_count"] if rows else 0,
        }
    )


async def get_coin(session: AsyncSession, coin_id: str) -> CoinPublic | None:
    statement = text(
        f"select {COIN_COLUMNS} from marts.mv_latest_market_data where coin_id = :coin_id"
    )
    row = (await session.execute(statement, {"coin_id": coin_id})).mappings().first()
    return CoinPublic.model_validate(row) if row else None


async def list_sparklines(session: AsyncSession, query: SparklineQuery) -> SparklinesPublic:
    """CoinGecko's 7-day hourly sparkline of each coin's newest snapshot, from the MV."""
    statement = text("""
        select coin_id, snapshot_at, sparkline_7d as prices
        from marts.mv_latest_market_data
        where cast(:ids as text[]) is null or coin_id = any(cast(:ids as text[]))
        order by market_cap_rank nulls last, coin_id
    """)
    rows = await fetch_dicts(session, statement, {"ids": query.coin_ids})
    return SparklinesPublic.model_validate({"data": rows, "count": len(rows)})


def history_interval(days: int) -> Literal["snapshot", "hour", "day"]:
    """CoinGecko's granularity: 1 day every snapshot, up to 90 days hourly, beyond daily."""
    if days <= 1:
        return "snapshot"
    return "hour" if days <= 90 else "day"


_BUCKETS = {
    "snapshot": "snapshot_at",
    "hour": "date_trunc('hour', snapshot_at, 'UTC')",
    "day": "date_trunc('day', snapshot_at, 'UTC')",
}


async def get_history(session: AsyncSession, coin_id: str, *, days: int) -> CoinHistory | None:
    """The last snapshot of each interval over `days` ending at the coin's newest snapshot."""
    interval = history_interval(days)
    bucket = _BUCKETS[interval]
    statement = text(f"""
        with coin as (
            select coin_id from marts.dim_coin where coin_id = :coin_id
        ),
        latest as (
            select max(snapshot_at) as last_at
            from marts.fact_market_data
            where coin_id = :coin_id
        ),
        points as (
            select distinct on ({bucket})
                {bucket} as bucket_at,
                snapshot_at,
                price_usd,
                market_cap_usd,
                volume_24h_usd
            from marts.fact_market_data
            where coin_id = :coin_id
                and snapshot_at > (select last_at from latest) - make_interval(days => :days)
            order by {bucket}, snapshot_at desc
        )
        select
            coin.coin_id,
            points.snapshot_at as ts,
            points.price_usd,
            points.market_cap_usd,
            points.volume_24h_usd
        from coin
        left join points on true
        order by points.bucket_at
    """)
    rows = await fetch_dicts(session, statement, {"coin_id": coin_id, "days": days})
    if not rows:
        return None
    data = [row for row in rows if row["ts"] is not None]
    return CoinHistory.model_validate(
        {"coin_id": coin_id, "days": days, "interval": interval, "data": data, "count": len(data)}
    )


async def get_ohlcv(session: AsyncSession, coin_id: str, *, days: int) -> CoinOhlcv | None:
    """Daily candles over `days` ending at the coin's newest candle."""
    statement = text("""
        with coin as (
            select coin_id from marts.dim_coin where coin_id = :coin_id
        ),
        latest as (
            select max(date_day) as last_day
            from marts.fact_daily_ohlcv
            where coin_id = :coin_id
        )
        select coin.coin_id, candle.date_day, candle.open, candle.high, candle.low,
            candle.close, candle.volume
        from coin
        left join marts.fact_daily_ohlcv as candle
            on candle.coin_id = coin.coin_id
            and candle.date_day > (select last_day from latest) - cast(:days as integer)
        order by candle.date_day
    """)
    rows = await fetch_dicts(session, statement, {"coin_id": coin_id, "days": days})
    if not rows:
        return None
    data = [row for row in rows if row["date_day"] is not None]
    return CoinOhlcv.model_validate(
        {"coin_id": coin_id, "days": days, "data": data, "count": len(data)}
    )


async def get_coin_analytics(
    session: AsyncSession, coin_id: str, *, period_days: int, limit: int
) -> CoinAnalytics | None:
    """Risk metrics for every period, and the most/least correlated coins over `period_days`."""
    risk_statement = text("""
        select coin.coin_id, risk.period_days, risk.volatility, risk.max_drawdown,
            risk.sharpe_ratio, risk.computed_at
        from marts.dim_coin as coin
        left join analytics.analytics_volatility as risk on risk.coin_id = coin.coin_id
        where coin.coin_id = :coin_id
        order by risk.period_days
    """)
    risk_rows = (await session.execute(risk_statement, {"coin_id": coin_id})).mappings().all()
    if not risk_rows:
        return None
    # Either orientation of a pair may be stored; `union` keeps one of each other coin.
    pairs_statement = text("""
        with pairs as (
            select coin_b_id as other_id, correlation
            from analytics.analytics_correlation
            where coin_a_id = :coin_id and period_days = :period_days
            union
            select coin_a_id as other_id, correlation
            from analytics.analytics_correlation
            where coin_b_id = :coin_id and period_days = :period_days
        )
        select pairs.other_id as coin_id, other.symbol, other.name, pairs.correlation
        from pairs
        inner join marts.dim_coin as other on other.coin_id = pairs.other_id
        where pairs.other_id <> :coin_id and pairs.correlation is not null
        order by pairs.correlation desc, pairs.other_id
    """)
    params = {"coin_id": coin_id, "period_days": period_days}
    pair_rows = (await session.execute(pairs_statement, params)).mappings().all()
    ranked = [CorrelatedCoin.model_validate(row) for row in pair_rows]
    return CoinAnalytics(
        coin_id=coin_id,
        period_days=period_days,
        risk=[RiskMetrics.model_validate(row) for row in risk_rows if row["period_days"]],
        most_correlated=ranked[:limit],
        least_correlated=ranked[::-1][:limit],
    )
