"""Market-wide analytics: correlation matrix and volatility ranking."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionDep
from api.schemas.analytics import CorrelationMatrix, VolatilityRanking, VolatilitySortField
from api.schemas.common import (
    DEFAULT_ANALYTICS_PERIOD,
    AnalyticsPeriod,
    CoinIds,
    SortOrder,
    split_ids,
)
from api.services import analytics
from cryptoflow.dbt_project import CORRELATION_TOP_N

router = APIRouter(prefix="/analytics", tags=["analytics"])

Period = Annotated[AnalyticsPeriod, Query(description="look-back window in days")]


@router.get("/correlation", response_model=CorrelationMatrix)
async def read_correlation(
    session: SessionDep,
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
    return await analytics.get_correlation_matrix(
        session,
        period_days=period.value,
        top=len(coin_ids) if coin_ids is not None else top,
        ids=coin_ids,
    )


@router.get("/volatility", response_model=VolatilityRanking)
async def read_volatility(
    session: SessionDep,
    period: Period = DEFAULT_ANALYTICS_PERIOD,
    sort: VolatilitySortField = VolatilitySortField.VOLATILITY,
    order: SortOrder = SortOrder.DESC,
    limit: Annotated[int, Query(ge=1, le=250)] = 50,
) -> VolatilityRanking:
    """Annualised volatility, max drawdown, Sharpe ratio and return per coin, ranked."""
    return await analytics.get_volatility_ranking(
        session,
        period_days=period.value,
        sort=sort,
        order=order,
        limit=limit,
    )
