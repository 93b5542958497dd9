"""Market overview: KPI cards and top movers (served from the hot cache)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import CacheDep
from api.schemas.market import MarketOverview
from api.services import market

router = APIRouter(prefix="/market", tags=["market"])


@router.get("/overview", response_model=MarketOverview)
async def read_market_overview(
    cache: CacheDep,
    movers: Annotated[int, Query(ge=1, le=25, description="coins per movers list")] = 5,
) -> Response:
    """Total market cap, 24h volume, BTC dominance, active coins; top gainers and losers (24h)."""
    return await cache.response(
        ("overview", movers), lambda s: market.get_overview(s, movers=movers)
    )
