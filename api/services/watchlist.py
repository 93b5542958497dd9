"""A user's starred coins."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import WatchlistEntry


async def list_entries(session: AsyncSession, *, user_id: int) -> list[WatchlistEntry]:
    result = await session.scalars(
        select(WatchlistEntry)
        .where(WatchlistEntry.user_id == user_id)
        .order_by(WatchlistEntry.added_at, WatchlistEntry.id)
    )
    return list(result)


async def add_entry(
    session: AsyncSession, *, user_id: int, coin_id: str
) -> tuple[WatchlistEntry, bool]:
    """The entry and whether it is new; adding a starred coin again changes nothing."""
    inserted = await session.scalar(
        insert(WatchlistEntry)
        .values(user_id=user_id, coin_id=coin_id)
        .on_conflict_do_nothing(index_elements=["user_id", "coin_id"])
        .returning(WatchlistEntry.id)
    )
    await session.commit()
    entry = await session.scalar(
        select(WatchlistEntry).where(
            WatchlistEntry.user_id == user_id, WatchlistEntry.coin_id == coin_id
        )
    )
    assert entry is not None
    return entry, inserted is not None


async def remove_entry(session: AsyncSession, *, user_id: int, coin_id: str) -> bool:
    # A DELETE's result is a CursorResult (the Result that has a rowcount).
    result = cast(
        "CursorResult[Any]",
        await session.execute(
            delete(WatchlistEntry).where(
                WatchlistEntry.user_id == user_id, WatchlistEntry.coin_id == coin_id
            )
        ),
    )
    await session.commit()
    return bool(result.rowcount)
