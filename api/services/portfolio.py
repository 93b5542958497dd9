"""Holdings of one user (never another's), valued from the latest snapshot and daily closes."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import RowMapping, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Holding
from api.schemas.portfolio import (
    AllocationSlice,
    HoldingCreate,
    HoldingPublic,
    HoldingUpdate,
    PortfolioPerformance,
    PortfolioSummary,
)
from api.services.coins import coin_exists
from api.services.rows import fetch_dicts


class UnknownCoinError(Exception):
    """The holding names a coin the warehouse does not know."""


def _enrich(row: RowMapping) -> HoldingPublic:
    quantity = float(row["quantity"])
    cost = quantity * float(row["buy_price_usd"])
    price = row["current_price_usd"]
    value = quantity * price if price is not None else None
    pnl = value - cost if value is not None else None
    return HoldingPublic(
        **row,
        value_usd=value,
        cost_basis_usd=cost,
        pnl_usd=pnl,
        pnl_pct=pnl / cost * 100 if pnl is not None and cost else None,
    )


async def list_holdings(
    session: AsyncSession, *, user_id: int, holding_id: int | None = None
) -> list[HoldingPublic]:
    statement = text("""
        select
            holding.id, holding.coin_id, coin.symbol, coin.name, coin.image_url,
            holding.quantity, holding.buy_price_usd, holding.bought_at, holding.notes,
            holding.created_at, holding.updated_at, latest.price_usd as current_price_usd
        from app.portfolio_holdings as holding
        left join marts.dim_coin as coin on coin.coin_id = holding.coin_id
        left join marts.mv_latest_market_data as latest on latest.coin_id = holding.coin_id
        where holding.user_id = :user_id
            and (cast(:holding_id as integer) is null or holding.id = :holding_id)
        order by holding.id
    """)
    params = {"user_id": user_id, "holding_id": holding_id}
    return [_enrich(row) for row in (await session.execute(statement, params)).mappings()]


async def get_holding(session: AsyncSession, *, user_id: int, holding_id: int) -> Holding | None:
    """The holding if `user_id` owns it; another user's id looks exactly like a missing one."""
    return await session.scalar(
        select(Holding).where(Holding.id == holding_id, Holding.user_id == user_id)
    )


async def create_holding(
    session: AsyncSession, *, user_id: int, holding_in: HoldingCreate
) -> HoldingPublic:
    if not await coin_exists(session, holding_in.coin_id):
        raise UnknownCoinError(holding_in.coin_id)
    holding = Holding(user_id=user_id, **holding_in.model_dump())
    session.add(holding)
    await session.commit()
    [public] = await list_holdings(session, user_id=user_id, holding_id=holding.id)
    return public


async def update_holding(
    session: AsyncSession, *, holding: Holding, holding_in: HoldingUpdate
) -> HoldingPublic:
    changes = holding_in.model_dump(exclude_unset=True)
    if "coin_id" in changes and not await coin_exists(session, changes["coin_id"]):
        raise UnknownCoinError(changes["coin_id"])
    for field, value in changes.items():
        setattr(holding, field, value)
    await session.commit()
    [public] = await list_holdings(session, user_id=holding.user_id, holding_id=holding.id)
    return public


async def delete_holding(session: AsyncSession, *, holding: Holding) -> None:
    await session.delete(holding)
    await session.commit()


async def get_summary(session: AsyncSession, *, user_id: int) -> PortfolioSummary:
    """Totals over every holding; coins without a current price count at 0 value."""
    holdings = await list_holdings(session, user_id=user_id)
    total_value = sum(holding.value_usd or 0.0 for holding in holdings)
    total_cost = sum(holding.cost_basis_usd for holding in holdings)
    by_coin: dict[str, float] = defaultdict(float)
    names = {}
    for holding in holdings:
        by_coin[holding.coin_id] += holding.value_usd or 0.0
        names[holding.coin_id] = (holding.symbol, holding.name)
    allocation = [
        AllocationSlice(
            coin_id=coin_id,
            symbol=names[coin_id][0],
            name=names[coin_id][1],
            value_usd=value,
            weight_pct=value / total_value * 100 if total_value else 0.0,
        )
        for coin_id, value in sorted(by_coin.items(), key=lambda item: (-item[1], item[0]))
    ]
    pnl = total_value - total_cost
    return PortfolioSummary(
        total_value_usd=total_value,
        total_cost_usd=total_cost,
        pnl_usd=pnl,
        pnl_pct=pnl / total_cost * 100 if total_cost else None,
        holdings_count=len(holdings),
        allocation=allocation,
    )


async def get_performance(
    session: AsyncSession, *, user_id: int, days: int
) -> PortfolioPerformance:
    """Daily value = sum of quantity * that day's close, over the `days` ending at the newest candle.

    A holding counts from the UTC day of `bought_at` on (from the start when it has none).
    """
    statement = text("""
        with holdings as (
            select coin_id, quantity, buy_price_usd, (bought_at at time zone 'UTC')::date as since
            from app.portfolio_holdings
            where user_id = :user_id
        ),
        last_day as (
            select max(date_day) as date_day from marts.fact_daily_ohlcv
        )
        select
            candle.date_day,
            sum(holdings.quantity * candle.close) as value_usd,
            sum(holdings.quantity * holdings.buy_price_usd) as cost_basis_usd
        from marts.fact_daily_ohlcv as candle
        inner join holdings
            on holdings.coin_id = candle.coin_id
            and (holdings.since is null or holdings.since <= candle.date_day)
        where candle.date_day > (select date_day from last_day) - cast(:days as integer)
        group by candle.date_day
        order by candle.date_day
    """)
    rows = await fetch_dicts(session, statement, {"user_id": user_id, "days": days})
    return PortfolioPerformance.model_validate({"days": days, "data": rows, "count": len(rows)})
