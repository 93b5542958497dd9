"""Coins: list (paginated, searchable, sortable), sparklines, one coin, history, candles, risk."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response, status

from api.deps import CacheDep, SessionDep
from api.schemas.coins import (
    CoinAnalytics,
    CoinHistory,
    CoinListQuery,
    CoinOhlcv,
    CoinPublic,
    CoinsPublic,
    SparklineQuery,
    SparklinesPublic,
)
from api.schemas.common import COIN_ID_MAX_LENGTH, DEFAULT_ANALYTICS_PERIOD, AnalyticsPeriod
from api.services import coins

router = APIRouter(prefix="/coins", tags=["coins"])

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


@router.get("", response_model=CoinsPublic)
async def read_coins(query: Annotated[CoinListQuery, Query()], cache: CacheDep) -> Response:
    """Coins with their latest market data: `search` by id/symbol/name, `sort` by a column."""
    return await cache.response(("coins", query), lambda s: coins.list_coins(s, query))


@router.get("/sparklines", response_model=SparklinesPublic)
async def read_sparklines(query: Annotated[SparklineQuery, Query()], cache: CacheDep) -> Response:
    """Hourly prices of several coins over the last days, for inline charts."""
    return await cache.response(("sparklines", query), lambda s: coins.list_sparklines(s, query))


@router.get("/{coin_id}", response_model=CoinPublic, responses=NOT_FOUND)
async def read_coin(coin_id: CoinId, session: SessionDep) -> CoinPublic:
    """One coin and its newest snapshot."""
    coin = await coins.get_coin(session, coin_id)
    if coin is None:
        raise coin_not_found(coin_id)
    return coin


@router.get("/{coin_id}/history", response_model=CoinHistory, responses=NOT_FOUND)
async def read_coin_history(coin_id: CoinId, session: SessionDep, days: Days = 7) -> CoinHistory:
    """Price, market cap and volume over the `days` ending at the coin's newest snapshot:
    every snapshot for 1 day, hourly up to 90 days, daily beyond."""
    history = await coins.get_history(session, coin_id, days=days)
    if history is None:
        raise coin_not_found(coin_id)
    return history


@router.get("/{coin_id}/ohlcv", response_model=CoinOhlcv, responses=NOT_FOUND)
async def read_coin_ohlcv(coin_id: CoinId, session: SessionDep, days: Days = 30) -> CoinOhlcv:
    """Daily open/high/low/close/volume candles."""
    candles = await coins.get_ohlcv(session, coin_id, days=days)
    if candles is None:
        raise coin_not_found(coin_id)
    return candles


@router.get("/{coin_id}/analytics", response_model=CoinAnalytics, responses=NOT_FOUND)
async def read_coin_analytics(
    coin_id: CoinId,
    session: SessionDep,
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
    return analytics
