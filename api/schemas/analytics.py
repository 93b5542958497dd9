"""Market-wide analytics: the correlation matrix and the volatility ranking."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from api.schemas.versions import Provenance


class CoinRef(BaseModel):
    coin_id: str = Field(examples=["bitcoin"])
    symbol: str = Field(examples=["btc"])
    name: str = Field(examples=["Bitcoin"])


class CorrelationMatrix(Provenance):
    period_days: int = Field(examples=[30])
    coins: list[CoinRef] = Field(description="rows and columns of the matrix, by market cap")
    matrix: list[list[float | None]] = Field(
        description="Pearson correlation of daily log returns; null where not computed",
        examples=[[[1.0, 0.82], [0.82, 1.0]]],
    )
    computed_at: datetime | None


class VolatilityEntry(BaseModel):
    coin_id: str = Field(examples=["bitcoin"])
    symbol: str = Field(examples=["btc"])
    name: str = Field(examples=["Bitcoin"])
    image_url: str | None = None
    market_cap_usd: float | None = Field(description="latest, for bubble sizes")
    period_days: int = Field(examples=[30])
    volatility: float | None = Field(examples=[0.55])
    max_drawdown: float | None = Field(examples=[0.18])
    sharpe_ratio: float | None = Field(examples=[1.3])
    annualized_return: float | None = Field(description="mean daily log return * 365")
    computed_at: datetime | None


class VolatilityRanking(Provenance):
    period_days: int = Field(examples=[30])
    data: list[VolatilityEntry]
    count: int


class VolatilitySortField(StrEnum):
    VOLATILITY = "volatility"
    MAX_DRAWDOWN = "max_drawdown"
    SHARPE_RATIO = "sharpe_ratio"
    ANNUALIZED_RETURN = "annualized_return"
    MARKET_CAP_USD = "market_cap_usd"
