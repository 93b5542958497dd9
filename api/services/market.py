"""Market overview: the KPI cards and the top movers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas.market import MarketMover, MarketOverview


async def get_overview(session: AsyncSession, *, movers: int) -> MarketOverview:
    global_statement = text("""
        select
            total_market_cap_usd, total_volume_24h_usd, btc_dominance_pct,
            market_cap_change_24h_pct, active_cryptocurrencies, snapshot_at as global_updated_at
        from marts.fact_global_market
        order by snapshot_at desc
        limit 1
    """)
    totals: Mapping[Any, Any] = (await session.execute(global_statement)).mappings().first() or {}
    coins_statement = text("""
        select coin_id, symbol, name, image_url, price_usd, price_change_24h_pct,
            market_cap_usd, snapshot_at
        from marts.mv_latest_market_data
    """)
    rows = (await session.execute(coins_statement)).mappings().all()
    moving = sorted(
        (row for row in rows if row["price_change_24h_pct"] is not None),
        key=lambda row: (row["price_change_24h_pct"], row["coin_id"]),
    )
    return MarketOverview(
        total_market_cap_usd=totals.get("total_market_cap_usd"),
        total_volume_24h_usd=totals.get("total_volume_24h_usd"),
        btc_dominance_pct=totals.get("btc_dominance_pct"),
        market_cap_change_24h_pct=totals.get("market_cap_change_24h_pct"),
        active_cryptocurrencies=totals.get("active_cryptocurrencies"),
        global_updated_at=totals.get("global_updated_at"),
        active_coins=len(rows),
        snapshot_at=max((row["snapshot_at"] for row in rows if row["snapshot_at"]), default=None),
        top_gainers=[MarketMover.model_validate(row) for row in moving[::-1][:movers]],
        top_losers=[MarketMover.model_validate(row) for row in moving[:movers]],
    )
