"""Market-wide analytics: correlation matrix and volatility ranking."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.core.cache import VersionedRoute, reads
from api.deps import DataVersionDep, SessionDep
from api.schemas.analytics import CorrelationMatrix, VolatilityRanking, VolatilitySortField
from api.schemas.common import (
    DEFAULT_ANALYTICS_PERIOD,
    AnalyticsPeriod,
    CoinIds,
    SortOrder,
    split_ids,
)
from api.services import analytics
from api.services.provenance import labelled
from cryptoflow.dbt_project import CORRELATION_TOP_N

router = APIRouter(prefix="/analytics", tags=["analytics"], route_class=VersionedRoute)

Period = Annotated[AnalyticsPeriod, Query(description="look-back window in days")]


@router.get("/correlation", response_model=CorrelationMatrix, openapi_extra=reads("analytics"))
async def read_correlation(
    session: SessionDep,
    version: DataVersionDep,
    period: Period = DEFAULT_ANALYTICS_PERIOD,
    top: Annotated[
        int, Query(ge=2, le=50, description="largest coins by market cap")
    ] = CORRELATION_TOP_N,
    ids: Annotated[
        CoinIds,
        Query(description="comma-separated coin ids (at most 100) instead of the top coins"),
    ] = None,
) -> CorrelationMatrix:
    """Pearson correlation of daily log returns between coins, as a symmetric matrix."""
    coin_ids = split_ids(ids) if ids is not None else None
    matrix = await analytics.get_correlation_matrix(
        session,
        period_days=period.value,
        top=len(coin_ids) if coin_ids is not None else top,
        ids=coin_ids,
    )
    return labelled(matrix, version)


@router.get("/volatility", response_model=VolatilityRanking, openapi_extra=reads("analytics"))
async def read_volatility(
    session: SessionDep,
    version: DataVersionDep,
    period: Period = DEFAULT_ANALYTICS_PERIOD,
    sort: VolatilitySortField = VolatilitySortField.VOLATILITY,
    order: SortOrder = SortOrder.DESC,
    limit: Annotated[int, Query(ge=1, le=250)] = 50,
) -> VolatilityRanking:
    """Annualised volatility, max drawdown, Sharpe ratio and return per coin, ranked."""
    ranking = await analytics.get_volatility_ranking(
        session, period_days=period.value, sort=sort, order=order, limit=limit
    )
    return labelled(ranking, version)
