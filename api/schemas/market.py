"""Market overview: KPI cards and the day's biggest movers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from api.schemas.versions import Provenance


class MarketMover(BaseModel):
    coin_id: str = Field(examples=["solana"])
    symbol: str = Field(examples=["sol"])
    name: str = Field(examples=["Solana"])
    image_url: str | None = None
    price_usd: float | None = Field(examples=[151.2])
    price_change_24h_pct: float | None = Field(examples=[7.4])
    market_cap_usd: float | None = Field(examples=[7.0e10])


class MarketOverview(Provenance):
    """Whole-market totals from CoinGecko `/global`; coin counts and movers from our snapshot."""

    total_market_cap_usd: float | None = Field(examples=[2.4e12])
    total_volume_24h_usd: float | None = Field(examples=[9.1e10])
    btc_dominance_pct: float | None = Field(
        description="bitcoin's share of the total", examples=[52.3]
    )
    market_cap_change_24h_pct: float | None = Field(examples=[1.2])
    active_cryptocurrencies: int | None = Field(
        description="coins CoinGecko tracks", examples=[15234]
    )
    active_coins: int = Field(
        description="coins tracked here, in the latest snapshot", examples=[50]
    )
    snapshot_at: datetime | None = Field(description="newest coin snapshot")
    global_updated_at: datetime | None = Field(description="when the totals were computed")
    top_gainers: list[MarketMover]
    top_losers: list[MarketMover]
