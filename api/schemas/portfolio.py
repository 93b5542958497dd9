"""Portfolio: holdings (owner-only), their value from the latest snapshot, and history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Self

from pydantic import BaseModel, Field, model_validator

from api.schemas.common import COIN_ID_MAX_LENGTH, IsoDatetime

# Matches Numeric(38, 18) in app.portfolio_holdings: up to 20 whole and 18 decimal digits.
Quantity = Annotated[Decimal, Field(gt=0, max_digits=38, decimal_places=18, examples=["0.5"])]
BuyPrice = Annotated[Decimal, Field(ge=0, max_digits=38, decimal_places=18, examples=["58000"])]


class HoldingBase(BaseModel):
    coin_id: str = Field(min_length=1, max_length=COIN_ID_MAX_LENGTH, examples=["bitcoin"])
    bought_at: IsoDatetime | None = Field(
        default=None, description="counts in the performance history from this day on"
    )
    notes: str | None = Field(default=None, max_length=1000, examples=["cold wallet"])


class HoldingCreate(HoldingBase):
    quantity: Quantity
    buy_price_usd: BuyPrice


class HoldingUpdate(BaseModel):
    """Only the fields sent are changed; `null` clears `bought_at` or `notes`."""

    coin_id: str | None = Field(default=None, min_length=1, max_length=COIN_ID_MAX_LENGTH)
    quantity: Quantity | None = None
    buy_price_usd: BuyPrice | None = None
    bought_at: IsoDatetime | None = None
    notes: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _required_fields_not_null(self) -> Self:
        for name in ("coin_id", "quantity", "buy_price_usd"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class HoldingPublic(BaseModel):
    id: int
    coin_id: str = Field(examples=["bitcoin"])
    symbol: str | None = Field(examples=["btc"])
    name: str | None = Field(examples=["Bitcoin"])
    image_url: str | None = None
    quantity: float = Field(examples=[0.5])
    buy_price_usd: float = Field(examples=[58000])
    bought_at: datetime | None
    notes: str | None
    current_price_usd: float | None = Field(description="from the latest snapshot")
    value_usd: float | None = Field(description="quantity * current price")
    cost_basis_usd: float = Field(description="quantity * buy price")
    pnl_usd: float | None
    pnl_pct: float | None
    created_at: datetime
    updated_at: datetime


class HoldingsPublic(BaseModel):
    data: list[HoldingPublic]
    count: int


class AllocationSlice(BaseModel):
    coin_id: str = Field(examples=["bitcoin"])
    symbol: str | None = Field(examples=["btc"])
    name: str | None = Field(examples=["Bitcoin"])
    value_usd: float
    weight_pct: float = Field(ge=0, le=100)


class PortfolioSummary(BaseModel):
    total_value_usd: float = Field(examples=[32061.75])
    total_cost_usd: float = Field(examples=[29000])
    pnl_usd: float = Field(examples=[3061.75])
    pnl_pct: float | None = Field(description="null when the cost basis is 0", examples=[10.56])
    holdings_count: int
    allocation: list[AllocationSlice] = Field(description="by coin, largest first")


class PerformancePoint(BaseModel):
    date_day: date
    value_usd: float = Field(description="sum of quantity * that day's close")
    cost_basis_usd: float = Field(description="sum of quantity * buy price of the holdings counted")


class PortfolioPerformance(BaseModel):
    days: int
    data: list[PerformancePoint]
    count: int
