"""Portfolio of the signed-in user: summary, holdings CRUD, performance."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, status

from api.deps import AUTH_RESPONSES, UNREADABLE_BODY, CurrentUser, SessionDep
from api.models import Holding
from api.schemas.common import Message
from api.schemas.portfolio import (
    HoldingCreate,
    HoldingPublic,
    HoldingsPublic,
    HoldingUpdate,
    PortfolioPerformance,
    PortfolioSummary,
)
from api.services import portfolio

router = APIRouter(prefix="/portfolio", tags=["portfolio"], responses=AUTH_RESPONSES)

HoldingId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the holding's id")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "no holding with this id among yours"}
}
UNKNOWN_COIN: dict[int | str, dict[str, Any]] = {
    422: {"description": "invalid body, or a coin the warehouse does not know"}
}


async def _owned_holding(session: SessionDep, user: CurrentUser, holding_id: int) -> Holding:
    holding = await portfolio.get_holding(session, user_id=user.id, holding_id=holding_id)
    if holding is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="holding not found")
    return holding


def _unknown_coin(exc: portfolio.UnknownCoinError) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=f"unknown coin_id {exc.args[0]!r}: not a coin of the warehouse (see GET /api/v1/coins)",
    )


@router.get("", response_model=PortfolioSummary)
async def read_portfolio(session: SessionDep, current_user: CurrentUser) -> PortfolioSummary:
    """Total value, cost basis, P&L and allocation, at the latest snapshot's prices."""
    return await portfolio.get_summary(session, user_id=current_user.id)


@router.get("/holdings", response_model=HoldingsPublic)
async def read_holdings(session: SessionDep, current_user: CurrentUser) -> HoldingsPublic:
    """Your holdings with coin data, current value and P&L."""
    holdings = await portfolio.list_holdings(session, user_id=current_user.id)
    return HoldingsPublic(data=holdings, count=len(holdings))


@router.post(
    "/holdings",
    response_model=HoldingPublic,
    status_code=status.HTTP_201_CREATED,
    responses={**UNKNOWN_COIN, **UNREADABLE_BODY},
)
async def create_holding(
    session: SessionDep, current_user: CurrentUser, holding_in: HoldingCreate
) -> HoldingPublic:
    """Add a holding: quantity > 0, buy price ≥ 0, a coin the warehouse knows."""
    try:
        return await portfolio.create_holding(
            session, user_id=current_user.id, holding_in=holding_in
        )
    except portfolio.UnknownCoinError as exc:
        raise _unknown_coin(exc) from exc


@router.put(
    "/holdings/{holding_id}",
    response_model=HoldingPublic,
    responses={**NOT_FOUND, **UNKNOWN_COIN, **UNREADABLE_BODY},
)
async def update_holding(
    session: SessionDep, current_user: CurrentUser, holding_id: HoldingId, holding_in: HoldingUpdate
) -> HoldingPublic:
    """Change the fields sent; the others keep their values."""
    holding = await _owned_holding(session, current_user, holding_id)
    try:
        return await portfolio.update_holding(session, holding=holding, holding_in=holding_in)
    except portfolio.UnknownCoinError as exc:
        raise _unknown_coin(exc) from exc


@router.delete("/holdings/{holding_id}", response_model=Message, responses=NOT_FOUND)
async def delete_holding(
    session: SessionDep, current_user: CurrentUser, holding_id: HoldingId
) -> Message:
    holding = await _owned_holding(session, current_user, holding_id)
    await portfolio.delete_holding(session, holding=holding)
    return Message(message="holding deleted")


@router.get("/performance", response_model=PortfolioPerformance)
async def read_portfolio_performance(
    session: SessionDep,
    current_user: CurrentUser,
    days: Annotated[int, Query(ge=1, le=365, description="look-back window in days")] = 30,
) -> PortfolioPerformance:
    """Daily portfolio value at each day's close, with the cost basis of what was held."""
    return await portfolio.get_performance(session, user_id=current_user.id, days=days)
