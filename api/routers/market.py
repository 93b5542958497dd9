"""Market overview: KPI cards and top movers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.core.cache import VersionedRoute, reads
from api.deps import DataVersionDep, SessionDep
from api.schemas.market import MarketOverview
from api.services import market
from api.services.provenance import labelled

router = APIRouter(prefix="/market", tags=["market"], route_class=VersionedRoute)


@router.get("/overview", response_model=MarketOverview, openapi_extra=reads("market"))
async def read_market_overview(
    session: SessionDep,
    version: DataVersionDep,
    movers: Annotated[int, Query(ge=1, le=25, description="coins per movers list")] = 5,
) -> MarketOverview:
    """Total market cap, 24h volume, BTC dominance, active coins; top gainers and losers (24h)."""
    return labelled(await market.get_overview(session, movers=movers), version)
