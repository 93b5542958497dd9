"""Market-wide analytics read from the dbt `analytics` models."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas.analytics import (
    CoinRef,
    CorrelationMatrix,
    VolatilityRanking,
    VolatilitySortField,
)
from api.schemas.common import SortOrder
from api.services.rows import fetch_dicts


async def get_correlation_matrix(
    session: AsyncSession, *, period_days: int, top: int, ids: list[str] | None
) -> CorrelationMatrix:
    """`ids` (in market-cap order) or else the `top` coins that have correlations this period."""
    coins_statement = text("""
        with correlated as (
            select coin_a_id as coin_id from analytics.analytics_correlation
            where period_days = :period_days
            union
            select coin_b_id from analytics.analytics_correlation
            where period_days = :period_days
        )
        select coin.coin_id, coin.symbol, coin.name
        from marts.dim_coin as coin
        where case
            when cast(:ids as text[]) is null then coin.coin_id in (select coin_id from correlated)
            else coin.coin_id = any(cast(:ids as text[]))
        end
        order by coin.market_cap_rank nulls last, coin.coin_id
        limit :top
    """)
    params = {"period_days": period_days, "ids": ids, "top": top}
    coins = [
        CoinRef.model_validate(row)
        for row in (await session.execute(coins_statement, params)).mappings()
    ]
    chosen = [coin.coin_id for coin in coins]
    pairs_statement = text("""
        select coin_a_id, coin_b_id, correlation, computed_at
        from analytics.analytics_correlation
        where period_days = :period_days
            and coin_a_id = any(cast(:chosen as text[]))
            and coin_b_id = any(cast(:chosen as text[]))
    """)
    pair_params = {"period_days": period_days, "chosen": chosen}
    pairs = (await session.execute(pairs_statement, pair_params)).mappings().all()
    position = {coin_id: index for index, coin_id in enumerate(chosen)}
    matrix: list[list[float | None]] = [
        [1.0 if row == column else None for column in range(len(chosen))]
        for row in range(len(chosen))
    ]
    for pair in pairs:
        a, b = position[pair["coin_a_id"]], position[pair["coin_b_id"]]
        matrix[a][b] = matrix[b][a] = pair["correlation"]
    return CorrelationMatrix(
        period_days=period_days,
        coins=coins,
        matrix=matrix,
        computed_at=max((pair["computed_at"] for pair in pairs), default=None),
    )


async def get_volatility_ranking(
    session: AsyncSession,
    *,
    period_days: int,
    sort: VolatilitySortField,
    order: SortOrder,
    limit: int,
) -> VolatilityRanking:
    """Risk metrics of every coin for one period."""
    direction = "desc" if order is SortOrder.DESC else "asc"
    statement = text(f"""
        with ranked as (
            select
                risk.coin_id, coin.symbol, coin.name, coin.image_url,
                latest.market_cap_usd, risk.period_days, risk.volatility, risk.max_drawdown,
                risk.sharpe_ratio, risk.annualized_return, risk.computed_at
            from analytics.analytics_volatility as risk
            inner join marts.dim_coin as coin on coin.coin_id = risk.coin_id
            left join marts.mv_latest_market_data as latest on latest.coin_id = risk.coin_id
            where risk.period_days = :period_days
        )
        select * from ranked
        order by {sort.value} {direction} nulls last, coin_id
        limit :limit
    """)
    params = {"period_days": period_days, "limit": limit}
    rows = await fetch_dicts(session, statement, params)
    return VolatilityRanking.model_validate(
        {"period_days": period_days, "data": rows, "count": len(rows)}
    )
