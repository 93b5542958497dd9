"""Coins: the latest market row per coin, its price history, candles and risk metrics."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import CoinIds, PageQuery, SortOrder, split_ids
from api.schemas.versions import Provenance


class CoinBase(BaseModel):
    coin_id: str = Field(description="CoinGecko id", examples=["bitcoin"])
    symbol: str = Field(examples=["btc"])
    name: str = Field(examples=["Bitcoin"])
    image_url: str | None = Field(default=None, examples=["https://example.org/bitcoin.png"])
    market_cap_rank: int | None = Field(default=None, examples=[1])
    category: str | None = Field(default=None, examples=["layer-1"])


class CoinPublic(CoinBase):
    """One row of `marts.mv_latest_market_data`: a coin and its newest snapshot."""

    snapshot_at: datetime | None = Field(description="time of the newest snapshot (UTC)")
    price_usd: float | None = Field(examples=[64123.5])
    market_cap_usd: float | None = Field(examples=[1.26e12])
    volume_24h_usd: float | None = Field(examples=[3.1e10])
    price_change_1h_pct: float | None = Field(examples=[0.12])
    price_change_24h_pct: float | None = Field(examples=[2.35])
    price_change_7d_pct: float | None = Field(examples=[-3.8])
    high_24h_usd: float | None = Field(examples=[65010.0])
    low_24h_usd: float | None = Field(examples=[62877.4])
    circulating_supply: float | None = Field(examples=[19.7e6])
    total_supply: float | None = Field(examples=[19.7e6])
    max_supply: float | None = Field(description="null when uncapped", examples=[21e6])
    ath_usd: float | None = Field(description="all-time high", examples=[73738.0])
    atl_usd: float | None = Field(description="all-time low", examples=[67.81])
    fully_diluted_valuation_usd: float | None = Field(examples=[1.34e12])


class CoinDetail(CoinPublic, Provenance):
    """One coin and its newest snapshot, with the run that made it."""


class CoinsPublic(Provenance):
    data: list[CoinPublic]
    count: int = Field(description="rows matching the search, across all pages", examples=[50])


class CoinSortField(StrEnum):
    MARKET_CAP_RANK = "market_cap_rank"
    NAME = "name"
    SYMBOL = "symbol"
    PRICE_USD = "price_usd"
    MARKET_CAP_USD = "market_cap_usd"
    VOLUME_24H_USD = "volume_24h_usd"
    PRICE_CHANGE_24H_PCT = "price_change_24h_pct"


class CoinListQuery(PageQuery):
    search: str | None = Field(
        default=None,
        max_length=100,
        description="case-insensitive substring of the id, symbol or name",
        examples=["bit"],
    )
    sort: CoinSortField = Field(default=CoinSortField.MARKET_CAP_RANK, description="sort column")
    order: SortOrder = Field(default=SortOrder.ASC)


class SparklineQuery(BaseModel):
    model_config = ConfigDict(frozen=True)

    ids: CoinIds = Field(
        default=None,
        description="comma-separated CoinGecko ids (at most 100); default: every listed coin",
    )

    @property
    def coin_ids(self) -> list[str] | None:
        return split_ids(self.ids) if self.ids is not None else None


class Sparkline(BaseModel):
    coin_id: str = Field(examples=["bitcoin"])
    snapshot_at: datetime | None = Field(description="the snapshot the sparkline came with")
    prices: list[float] = Field(description="7 days of hourly USD prices, oldest first")


class SparklinesPublic(Provenance):
    data: list[Sparkline]
    count: int


class PricePoint(BaseModel):
    ts: datetime = Field(description="snapshot time (UTC); the last snapshot of its interval")
    price_usd: float | None
    market_cap_usd: float | None
    volume_24h_usd: float | None


class CoinHistory(Provenance):
    coin_id: str = Field(examples=["bitcoin"])
    days: int = Field(examples=[30])
    interval: Literal["snapshot", "hour", "day"] = Field(
        description="1 day: every snapshot; up to 90 days: hourly; beyond: daily (as CoinGecko)"
    )
    data: list[PricePoint]
    count: int


# What a daily bar was built from, finest first (fact_daily_ohlcv.grain, dbt var
# ohlcv_grain_spacing_s); `daily_close` is a close-only day, with no range to draw.
CandleGrain = Literal["snapshots", "hourly", "ohlc_4h", "daily_close"]


class Candle(BaseModel):
    date_day: date
    open: float
    high: float
    low: float
    close: float
    volume: float | None
    grain: CandleGrain = Field(
        description="what the bar was built from: 10-minute snapshots, hourly points (or finer), "
        "4-hour candles, or only a daily close (close-only: draw no candle)",
        examples=["hourly"],
    )
    points: int = Field(description="observations and candles the bar was built from", ge=1)


class CoinOhlcv(Provenance):
    coin_id: str = Field(examples=["bitcoin"])
    days: int = Field(examples=[30])
    data: list[Candle]
    count: int


class RiskMetrics(BaseModel):
    period_days: int = Field(examples=[30])
    volatility: float | None = Field(
        description="annualised: stdev of daily log returns * sqrt(365)"
    )
    max_drawdown: float | None = Field(description="largest fall from a running peak, 0..1")
    sharpe_ratio: float | None = Field(description="(mean return * 365 - risk-free) / volatility")
    computed_at: datetime | None


class CorrelatedCoin(BaseModel):
    coin_id: str = Field(examples=["ethereum"])
    symbol: str = Field(examples=["eth"])
    name: str = Field(examples=["Ethereum"])
    correlation: float = Field(ge=-1, le=1, examples=[0.83])


class CoinAnalytics(Provenance):
    coin_id: str = Field(examples=["bitcoin"])
    period_days: int = Field(description="period of the correlation lists", examples=[30])
    risk: list[RiskMetrics] = Field(description="one entry per computed period")
    most_correlated: list[CorrelatedCoin]
    least_correlated: list[CorrelatedCoin]
