"""Watchlist of the signed-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Response, status

from api.deps import AUTH_RESPONSES, CurrentUser, SessionDep
from api.models import WatchlistEntry
from api.schemas.common import COIN_ID_MAX_LENGTH, Message
from api.schemas.watchlist import WatchlistEntryPublic, WatchlistPublic
from api.services import coins, watchlist

router = APIRouter(prefix="/watchlist", tags=["watchlist"], responses=AUTH_RESPONSES)

CoinId = Annotated[
    str, Path(max_length=COIN_ID_MAX_LENGTH, description="CoinGecko id", examples=["bitcoin"])
]


@router.get("", response_model=WatchlistPublic)
async def read_watchlist(session: SessionDep, current_user: CurrentUser) -> WatchlistPublic:
    """The coins you starred, oldest first."""
    entries = await watchlist.list_entries(session, user_id=current_user.id)
    return WatchlistPublic(
        data=[WatchlistEntryPublic.model_validate(entry) for entry in entries], count=len(entries)
    )


@router.post(
    "/{coin_id}",
    response_model=WatchlistEntryPublic,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": WatchlistEntryPublic, "description": "already on the watchlist"},
        404: {"description": "no coin with this id"},
    },
)
async def add_watchlist_coin(
    session: SessionDep, current_user: CurrentUser, coin_id: CoinId, response: Response
) -> WatchlistEntry:
    """Star a coin (201); starring it again changes nothing (200)."""
    if not await coins.coin_exists(session, coin_id):
        raise HTTPException(
            status_code=status.HTTP_404_NOT_FOUND, detail=f"coin {coin_id!r} not found"
        )
    entry, created = await watchlist.add_entry(session, user_id=current_user.id, coin_id=coin_id)
    if not created:
        response.status_code = status.HTTP_200_OK
    return entry


@router.delete(
    "/{coin_id}",
    response_model=Message,
    responses={404: {"description": "the coin is not on your watchlist"}},
)
async def remove_watchlist_coin(
    session: SessionDep, current_user: CurrentUser, coin_id: CoinId
) -> Message:
    if not await watchlist.remove_entry(session, user_id=current_user.id, coin_id=coin_id):
        raise HTTPException(
            status_code=status.HTTP_404_NOT_FOUND,
            detail=f"coin {coin_id!r} is not on your watchlist",
        )
    return Message(message="removed from watchlist")
