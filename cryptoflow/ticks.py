"""The one live-price tick format shared by the streaming consumer and the API.

Its JSON form travels on Redis and the WebSocket (docs/contracts.md).
"""

from __future__ import annotations

from datetime import datetime

import orjson
from pydantic import BaseModel, Field


class Tick(BaseModel):
    """A normalised live price: what goes on the Redis channel and into the latest-price hash."""

    coin_id: str = Field(examples=["bitcoin"])
    symbol: str = Field(examples=["btc"])
    price_usd: float = Field(gt=0, examples=[64123.5])
    ts: datetime

    def to_json(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json"))

    @classmethod
    def from_json(cls, raw: bytes | str) -> Tick:
        return cls.model_validate_json(raw)
