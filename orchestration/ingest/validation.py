"""Row contracts of the raw tables: what a CoinGecko row must look like to be loaded.

A row that breaks its contract (a price of "abc", a null id, an unparsable timestamp, a
negative market cap) is rejected before dlt sees it: it is logged as one structured line and
counted per table, and the counts end up in the asset's materialization metadata. Garbage never
reaches `raw`; the rest of the batch still loads.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

log = logging.getLogger(__name__)

NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Finite = Annotated[float, Field(allow_inf_nan=False)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MarketRow(_Row):
    """One `/coins/markets` row; unknown future fields are kept as they come."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(min_length=1)
    symbol: str = Field(min_length=1)
    name: str = Field(min_length=1)
    image: str | None = None
    current_price: NonNegative
    market_cap: NonNegative | None = None
    market_cap_rank: int | None = Field(default=None, ge=1)
    fully_diluted_valuation: NonNegative | None = None
    total_volume: NonNegative | None = None
    high_24h: NonNegative | None = None
    low_24h: NonNegative | None = None
    price_change_24h: Finite | None = None
    price_change_percentage_24h: Finite | None = None
    market_cap_change_24h: Finite | None = None
    market_cap_change_percentage_24h: Finite | None = None
    circulating_supply: NonNegative | None = None
    total_supply: NonNegative | None = None
    max_supply: NonNegative | None = None
    ath: NonNegative | None = None
    ath_change_percentage: Finite | None = None
    ath_date: AwareDatetime | None = None
    atl: NonNegative | None = None
    atl_change_percentage: Finite | None = None
    atl_date: AwareDatetime | None = None
    roi: dict[str, Any] | None = None
    last_updated: AwareDatetime
    sparkline_in_7d: dict[str, list[NonNegative | None]] | None = None
    price_change_percentage_1h_in_currency: Finite | None = None
    price_change_percentage_24h_in_currency: Finite | None = None
    price_change_percentage_7d_in_currency: Finite | None = None
    price_change_percentage_14d_in_currency: Finite | None = None
    price_change_percentage_30d_in_currency: Finite | None = None
    price_change_percentage_200d_in_currency: Finite | None = None
    price_change_percentage_1y_in_currency: Finite | None = None


class MarketChartRow(_Row):
    coin_id: str = Field(min_length=1)
    ts: AwareDatetime
    price: NonNegative
    market_cap: NonNegative | None = None
    total_volume: NonNegative | None = None


class OhlcRow(_Row):
    coin_id: str = Field(min_length=1)
    ts: AwareDatetime  # candle close
    open: NonNegative
    high: NonNegative
    low: NonNegative
    close: NonNegative


class GlobalMarketRow(_Row):
    updated_at: AwareDatetime
    active_cryptocurrencies: int = Field(ge=0)
    markets: int = Field(ge=0)
    total_market_cap_usd: NonNegative
    total_volume_usd: NonNegative
    market_cap_percentage_btc: NonNegative | None = None
    market_cap_percentage_eth: NonNegative | None = None
    market_cap_change_percentage_24h_usd: Finite | None = None
    market_cap_percentage: dict[str, NonNegative] | None = None


def from_unix_ms(value: object) -> object:
    """CoinGecko's `[unix_ms, …]` timestamps as aware datetimes (anything else is left to fail)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, UTC)
    return value


@dataclass
class RejectedRows:
    """Rows refused per table in one run, with the first few reasons for the run's metadata."""

    counts: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    max_samples: int = 10

    def validate(
        self, table: str, model: type[_Row], raw: dict[str, Any], *, key: object
    ) -> dict[str, Any] | None:
        """The row as loadable values, or None after logging why it was refused."""
        try:
            return model.model_validate(raw).model_dump()
        except ValidationError as exc:
            reasons = "; ".join(
                f"{'.'.join(map(str, err['loc']))}: {err['msg']} (got {err.get('input')!r})"
                for err in exc.errors(include_url=False)
            )
            self.counts[table] += 1
            if len(self.samples) < self.max_samples:
                self.samples.append(f"{table} {key!r}: {reasons}")
            log.warning(
                "rejected malformed row table=raw.%s key=%r reasons=%s", table, key, reasons
            )
            return None
