"""Coins: list (paginated, searchable, sortable), sparklines, one coin, history, candles, risk."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, status

from api.core.cache import VersionedRoute, reads
from api.deps import DataVersionDep, SessionDep
from api.schemas.coins import (
    CoinAnalytics,
    CoinDetail,
    CoinHistory,
    CoinListQuery,
    CoinOhlcv,
    CoinsPublic,
    SparklineQuery,
    SparklinesPublic,
)
from api.schemas.common import COIN_ID_MAX_LENGTH, DEFAULT_ANALYTICS_PERIOD, AnalyticsPeriod
from api.services import coins
from api.services.provenance import labelled

router = APIRouter(prefix="/coins", tags=["coins"], route_class=VersionedRoute)

CoinId = Annotated[
    str,
    Path(max_length=COIN_ID_MAX_LENGTH, description="CoinGecko id", examples=["bitcoin"]),
]
Days = Annotated[int, Query(ge=1, le=365, description="look-back window in days (1-365)")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no coin with this id"}}


def coin_not_found(coin_id: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_404_NOT_FOUND,
        detail=f"coin {coin_id!r} not found (use a CoinGecko id such as 'bitcoin')",
    )


@router.get("", response_model=CoinsPublic, openapi_extra=reads("market"))
async def read_coins(
    query: Annotated[CoinListQuery, Query()], session: SessionDep, version: DataVersionDep
) -> CoinsPublic:
    """Coins with their latest market data: `search` by id/symbol/name, `sort` by a column."""
    return labelled(await coins.list_coins(session, query), version)


@router.get("/sparklines", response_model=SparklinesPublic, openapi_extra=reads("market"))
async def read_sparklines(
    query: Annotated[SparklineQuery, Query()], session: SessionDep, version: DataVersionDep
) -> SparklinesPublic:
    """Hourly prices of several coins over the last days, for inline charts."""
    return labelled(await coins.list_sparklines(session, query), version)


@router.get(
    "/{coin_id}", response_model=CoinDetail, responses=NOT_FOUND, openapi_extra=reads("market")
)
async def read_coin(coin_id: CoinId, session: SessionDep, version: DataVersionDep) -> CoinDetail:
    """One coin and its newest snapshot."""
    coin = await coins.get_coin(session, coin_id)
    if coin is None:
        raise coin_not_found(coin_id)
    return labelled(CoinDetail.model_validate(coin, from_attributes=True), version)


@router.get(
    "/{coin_id}/history",
    response_model=CoinHistory,
    responses=NOT_FOUND,
    openapi_extra=reads("market"),
)
async def read_coin_history(
    coin_id: CoinId, session: SessionDep, version: DataVersionDep, days: Days = 7
) -> CoinHistory:
    """Price, market cap and volume over the `days` ending at the coin's newest snapshot:
    every snapshot for 1 day, hourly up to 90 days, daily beyond."""
    history = await coins.get_history(session, coin_id, days=days)
    if history is None:
        raise coin_not_found(coin_id)
    return labelled(history, version)


@router.get(
    "/{coin_id}/ohlcv", response_model=CoinOhlcv, responses=NOT_FOUND, openapi_extra=reads("ohlcv")
)
async def read_coin_ohlcv(
    coin_id: CoinId, session: SessionDep, version: DataVersionDep, days: Days = 30
) -> CoinOhlcv:
    """Daily open/high/low/close/volume candles, each saying what it was built from (`grain`,
    `points`): a `daily_close` day has only a close and no range."""
    candles = await coins.get_ohlcv(session, coin_id, days=days)
    if candles is None:
        raise coin_not_found(coin_id)
    return labelled(candles, version)


@router.get(
    "/{coin_id}/analytics",
    response_model=CoinAnalytics,
    responses=NOT_FOUND,
    openapi_extra=reads("analytics"),
)
async def read_coin_analytics(
    coin_id: CoinId,
    session: SessionDep,
    version: DataVersionDep,
    period: Annotated[
        AnalyticsPeriod, Query(description="period of the correlation lists, in days")
    ] = DEFAULT_ANALYTICS_PERIOD,
    limit: Annotated[int, Query(ge=1, le=50, description="coins per list")] = 5,
) -> CoinAnalytics:
    """Volatility, max drawdown and Sharpe ratio per period; most and least correlated coins."""
    analytics = await coins.get_coin_analytics(
        session, coin_id, period_days=period.value, limit=limit
    )
    if analytics is None:
        raise coin_not_found(coin_id)
    return labelled(analytics, version)
