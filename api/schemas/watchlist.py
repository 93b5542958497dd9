"""Watchlist: the coins a user starred (owner-only)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class WatchlistEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    coin_id: str = Field(examples=["bitcoin"])
    added_at: datetime


class WatchlistPublic(BaseModel):
    data: list[WatchlistEntryPublic]
    count: int
