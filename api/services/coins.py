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
from api.services.rows import fetch_dicts, fetch_page

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
    matching = f"""
        select {COIN_COLUMNS}
        from marts.mv_latest_market_data
        where cast(:pattern as text) is null
            or coin_id ilike :pattern
            or symbol ilike :pattern
            or name ilike :pattern
    """
    params = {
        "pattern": like_pattern(query.search) if query.search else None,
        "limit": query.per_page,
        "offset": query.offset,
    }
    page = await fetch_page(
        session,
        matching,
        order_by=f"{sort_column} {direction} nulls last, coin_id",
        key="coin_id",
        params=params,
    )
    return CoinsPublic.model_validate(page)


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


# The history's points at each granularity, one row per point (dbt marts; docs/contracts.md).
_HISTORY_POINTS = {
    "snapshot": "marts.fact_market_data",
    "hour": "marts.fact_price_hourly",
    "day": "marts.fact_price_daily",
}


async def get_history(session: AsyncSession, coin_id: str, *, days: int) -> CoinHistory | None:
    """The coin's points over the `days` ending at its newest one, at CoinGecko's granularity."""
    interval = history_interval(days)
    points = _HISTORY_POINTS[interval]
    statement = text(f"""
        select snapshot_at as ts, price_usd, market_cap_usd, volume_24h_usd
        from {points}
        where coin_id = :coin_id
            and snapshot_at > (
                select max(snapshot_at) from {points} where coin_id = :coin_id
            ) - make_interval(days => :days)
        order by snapshot_at
    """)
    rows = await fetch_dicts(session, statement, {"coin_id": coin_id, "days": days})
    if not rows and not await coin_exists(session, coin_id):
        return None
    return CoinHistory.model_validate(
        {"coin_id": coin_id, "days": days, "interval": interval, "data": rows, "count": len(rows)}
    )


async def get_ohlcv(session: AsyncSession, coin_id: str, *, days: int) -> CoinOhlcv | None:
    """Daily candles over `days` ending at the coin's newest candle, each with its grain."""
    statement = text("""
        select date_day, open, high, low, close, volume, grain, points
        from marts.fact_daily_ohlcv
        where coin_id = :coin_id
            and date_day > (
                select max(date_day) from marts.fact_daily_ohlcv where coin_id = :coin_id
            ) - cast(:days as integer)
        order by date_day
    """)
    rows = await fetch_dicts(session, statement, {"coin_id": coin_id, "days": days})
    if not rows and not await coin_exists(session, coin_id):
        return None
    return CoinOhlcv.model_validate(
        {"coin_id": coin_id, "days": days, "data": rows, "count": len(rows)}
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
    # A full matrix (dbt tests: symmetric, unique, not null): the coin's row lists every other.
    pairs_statement = text("""
        select pair.coin_b_id as coin_id, other.symbol, other.name, pair.correlation
        from analytics.analytics_correlation as pair
        inner join marts.dim_coin as other on other.coin_id = pair.coin_b_id
        where pair.coin_a_id = :coin_id and pair.period_days = :period_days
            and pair.coin_b_id <> :coin_id
        order by pair.correlation desc, pair.coin_b_id
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
