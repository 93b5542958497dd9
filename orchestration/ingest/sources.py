"""dlt sources for CoinGecko: what lands in the `raw` dataset and how reruns stay idempotent.

Two sources, so that the 10-minute snapshot load and the daily history load keep separate dlt
state and may run side by side:
- `coingecko_snapshots`: `markets` (top N by market cap, merged on `(id, last_updated)`: a rerun
  inside one CoinGecko update window adds no row) and `global_market` (merged on `updated_at`);
- `coingecko_history`: `market_chart` and `ohlc`, per coin, merged on `(coin_id, ts)`. The
  first load backfills `history_days` at the finest grain CoinGecko gives for each part of the
  window: hourly points for the last 90 days (`market_chart?days=90`), daily points before them
  (`days=history_days`, its points older than the first hourly one), and the 4-hour candles of
  the last 30 days (`ohlc?days=30`), whose high/low see moves between the hourly points. Three
  calls per coin. Later loads ask only for the days since each coin's cursor (one call each,
  at CoinGecko's granularity for that many days) and keep rows after it. The cursors live in dlt resource state, which dlt stores in the
  destination (`raw._dlt_pipeline_state`) and restores from there, so a fresh pipelines folder or
  dagster-dlt's reset of local state costs nothing. Were they ever lost, the next load would
  re-fetch the whole window and merge it without duplicates.
Nested values (`roi`, `sparkline_in_7d`, the dominance map) stay jsonb columns: no child tables.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import dlt
from dlt.common.data_types import TDataType
from dlt.common.schema.typing import TTableSchemaColumns

from cryptoflow.coingecko import (
    MARKET_CHART_HOURLY_DAYS,
    MARKETS_PER_PAGE_MAX,
    OHLC_4H_DAYS,
    OHLC_DAYS,
    PRICE_CHANGE_WINDOWS,
    VS_CURRENCY,
    CoinGeckoClient,
    price_change_field,
)
from orchestration.ingest.validation import (
    GlobalMarketRow,
    MarketChartRow,
    MarketRow,
    OhlcRow,
    RejectedRows,
    from_unix_ms,
)

log = logging.getLogger(__name__)
DAY_S = 86_400
# Told after each coin of a history load: (table, coins done, coins in the load).
Progress = Callable[[str, int, int], None]

PRICE_CHANGE_COLUMNS = tuple(price_change_field(window) for window in PRICE_CHANGE_WINDOWS)
MARKETS_TYPES: dict[str, TDataType] = {
    "id": "text",
    "last_updated": "timestamp",
    "symbol": "text",
    "name": "text",
    "image": "text",
    "market_cap_rank": "bigint",
    "ath_date": "timestamp",
    "atl_date": "timestamp",
    "roi": "json",
    "sparkline_in_7d": "json",
    **dict.fromkeys(
        (
            "current_price",
            "market_cap",
            "fully_diluted_valuation",
            "total_volume",
            "high_24h",
            "low_24h",
            "price_change_24h",
            "price_change_percentage_24h",
            "market_cap_change_24h",
            "market_cap_change_percentage_24h",
            "circulating_supply",
            "total_supply",
            "max_supply",
            "ath",
            "ath_change_percentage",
            "atl",
            "atl_change_percentage",
            *PRICE_CHANGE_COLUMNS,
        ),
        "double",
    ),
}
GLOBAL_MARKET_TYPES: dict[str, TDataType] = {
    "updated_at": "timestamp",
    "active_cryptocurrencies": "bigint",
    "markets": "bigint",
    "market_cap_percentage": "json",
    **dict.fromkeys(
        (
            "total_market_cap_usd",
            "total_volume_usd",
            "market_cap_percentage_btc",
            "market_cap_percentage_eth",
            "market_cap_change_percentage_24h_usd",
        ),
        "double",
    ),
}
MARKET_CHART_TYPES: dict[str, TDataType] = {
    "coin_id": "text",
    "ts": "timestamp",
    "price": "double",
    "market_cap": "double",
    "total_volume": "double",
}
OHLC_TYPES: dict[str, TDataType] = {
    "coin_id": "text",
    "ts": "timestamp",
    **dict.fromkeys(("open", "high", "low", "close"), "double"),
}


def columns(types: dict[str, TDataType], *, keys: tuple[str, ...]) -> TTableSchemaColumns:
    """Fresh column hints on every call: dlt and dagster-dlt mutate the dicts they are given."""
    return {
        name: {"data_type": data_type, "nullable": name not in keys}
        for name, data_type in types.items()
    }


def _require(client: CoinGeckoClient | None) -> CoinGeckoClient:
    """Sources are also built without a client, only to declare the assets' tables."""
    if client is None:
        raise RuntimeError("this CoinGecko source was built without a client and cannot load")
    return client


def fetch_markets(client: CoinGeckoClient, top_n: int, *, sparkline: bool) -> list[dict[str, Any]]:
    """The top `top_n` rows of `/coins/markets`, page by page."""
    per_page = min(top_n, MARKETS_PER_PAGE_MAX)
    rows: list[dict[str, Any]] = []
    for page in range(1, math.ceil(top_n / per_page) + 1):
        batch = client.markets(page=page, per_page=per_page, sparkline=sparkline)
        rows.extend(batch)
        if len(batch) < per_page:
            break
    return rows[:top_n]


@dlt.source(name="coingecko_snapshots", max_table_nesting=0)
def coingecko_snapshots(
    client: CoinGeckoClient | None = None,
    *,
    top_n: int = 50,
    rejected: RejectedRows | None = None,
) -> tuple[Any, ...]:
    rejected = rejected if rejected is not None else RejectedRows()

    @dlt.resource(
        name="markets",
        primary_key=("id", "last_updated"),
        write_disposition="merge",
        columns=columns(MARKETS_TYPES, keys=("id", "last_updated")),
    )
    def markets() -> Iterator[list[dict[str, Any]]]:
        """Top coins by market cap, every CoinGecko field, one row per coin and update."""
        rows = fetch_markets(_require(client), top_n, sparkline=True)
        if len(rows) < top_n:
            log.warning("markets returned %d of the top %d coins", len(rows), top_n)
        valid = [
            row
            for raw in rows
            if (
                row := rejected.validate(
                    "markets", MarketRow, raw, key=(raw.get("id"), raw.get("last_updated"))
                )
            )
        ]
        yield valid

    @dlt.resource(
        name="global_market",
        primary_key="updated_at",
        write_disposition="merge",
        columns=columns(GLOBAL_MARKET_TYPES, keys=("updated_at",)),
    )
    def global_market() -> Iterator[dict[str, Any]]:
        """Whole-market totals and dominance, one row per CoinGecko update."""
        data = _require(client).global_data()
        dominance = data.get("market_cap_percentage") or {}
        raw = {
            "updated_at": datetime.fromtimestamp(data["updated_at"], UTC)
            if isinstance(data.get("updated_at"), int | float)
            else data.get("updated_at"),
            "active_cryptocurrencies": data.get("active_cryptocurrencies"),
            "markets": data.get("markets"),
            "total_market_cap_usd": (data.get("total_market_cap") or {}).get(VS_CURRENCY),
            "total_volume_usd": (data.get("total_volume") or {}).get(VS_CURRENCY),
            "market_cap_percentage_btc": dominance.get("btc"),
            "market_cap_percentage_eth": dominance.get("eth"),
            "market_cap_change_percentage_24h_usd": data.get(
                "market_cap_change_percentage_24h_usd"
            ),
            "market_cap_percentage": dominance or None,
        }
        row = rejected.validate("global_market", GlobalMarketRow, raw, key=raw["updated_at"])
        if row is not None:
            yield row

    return markets, global_market


def _days_to_fetch(cursor: str | None, *, now: datetime, history_days: int) -> float:
    if cursor is None:
        return history_days
    behind_s = (now - datetime.fromisoformat(cursor)).total_seconds()
    return min(history_days, max(1, math.ceil(behind_s / DAY_S)))


def _per_coin_history(
    *,
    table: str,
    coin_ids: Callable[[], list[str]],
    fetch: Callable[[str, float], list[dict[str, Any]]],
    model: type[MarketChartRow] | type[OhlcRow],
    history_days: int,
    rejected: RejectedRows,
    progress: Progress | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """Rows newer than each coin's cursor; advances the cursors in dlt state as it goes."""
    cursors: dict[str, str] = dlt.current.resource_state().setdefault("cursors", {})
    now = datetime.now(UTC)
    coins = coin_ids()
    for done, coin_id in enumerate(coins, start=1):
        cursor = cursors.get(coin_id)
        days = _days_to_fetch(cursor, now=now, history_days=history_days)
        after = datetime.fromisoformat(cursor) if cursor else None
        rows = []
        for raw in fetch(coin_id, days):
            row = rejected.validate(table, model, raw, key=(coin_id, raw.get("ts")))
            if row is not None and (after is None or row["ts"] > after):
                rows.append(row)
        if progress is not None:
            progress(table, done, len(coins))
        if rows:
            cursors[coin_id] = max(row["ts"] for row in rows).isoformat()
            yield rows


@dlt.source(name="coingecko_history", max_table_nesting=0)
def coingecko_history(
    client: CoinGeckoClient | None = None,
    *,
    top_n: int = 50,
    history_days: int = 365,
    rejected: RejectedRows | None = None,
    progress: Progress | None = None,
) -> tuple[Any, ...]:
    rejected = rejected if rejected is not None else RejectedRows()
    ids: list[str] = []

    def coin_ids() -> list[str]:
        """Today's top N, asked once per load and shared by both resources."""
        if not ids:
            rows = fetch_markets(_require(client), top_n, sparkline=False)
            ids.extend(row["id"] for row in rows if isinstance(row.get("id"), str) and row["id"])
        return ids

    def chart_points(coin_id: str, days: int) -> list[dict[str, Any]]:
        chart = _require(client).market_chart(coin_id, days=days)
        caps = {point[0]: point[1] for point in chart.get("market_caps") or []}
        volumes = {point[0]: point[1] for point in chart.get("total_volumes") or []}
        return [
            {
                "coin_id": coin_id,
                "ts": from_unix_ms(point[0]),
                "price": point[1],
                "market_cap": caps.get(point[0]),
                "total_volume": volumes.get(point[0]),
            }
            for point in chart.get("prices") or []
            if isinstance(point, list) and len(point) == 2
        ]

    def chart_rows(coin_id: str, days: float) -> list[dict[str, Any]]:
        """Hourly points for the last 90 days; a longer window adds the daily points before."""
        whole = math.ceil(days)
        if whole <= MARKET_CHART_HOURLY_DAYS:
            return chart_points(coin_id, whole)
        hourly = chart_points(coin_id, MARKET_CHART_HOURLY_DAYS)
        stamps = [row["ts"] for row in hourly if isinstance(row["ts"], datetime)]
        first_hourly = min(stamps, default=None)
        daily = [  # a malformed point is kept for the validation to reject and count
            row
            for row in chart_points(coin_id, whole)
            if first_hourly is None
            or not isinstance(row["ts"], datetime)
            or row["ts"] < first_hourly
        ]
        return daily + hourly

    def ohlc_rows(coin_id: str, days: float) -> list[dict[str, Any]]:
        """The finest candles covering the window, at most 4-hour ones (4-day candles span
        several days and say nothing about one)."""
        allowed = next((d for d in OHLC_DAYS if d >= min(days, OHLC_4H_DAYS)), OHLC_4H_DAYS)
        return [
            dict(zip(("ts", "open", "high", "low", "close"), candle, strict=False))
            | {"coin_id": coin_id, "ts": from_unix_ms(candle[0])}
            for candle in _require(client).ohlc(coin_id, days=allowed)
            if isinstance(candle, list) and len(candle) == 5
        ]

    def per_coin_resource(
        table: str,
        types: dict[str, TDataType],
        fetch: Callable[[str, float], list[dict[str, Any]]],
        model: type[MarketChartRow] | type[OhlcRow],
    ) -> Any:
        @dlt.resource(
            name=table,
            primary_key=("coin_id", "ts"),
            write_disposition="merge",
            columns=columns(types, keys=("coin_id", "ts")),
        )
        def rows() -> Iterator[list[dict[str, Any]]]:
            yield from _per_coin_history(
                table=table,
                coin_ids=coin_ids,
                fetch=fetch,
                model=model,
                history_days=history_days,
                rejected=rejected,
                progress=progress,
            )

        return rows

    # price, market cap and volume history per coin (hourly for 90 days, daily before)
    market_chart = per_coin_resource("market_chart", MARKET_CHART_TYPES, chart_rows, MarketChartRow)
    # open/high/low/close candles per coin (4 h or finer), keyed by candle close
    ohlc = per_coin_resource("ohlc", OHLC_TYPES, ohlc_rows, OhlcRow)
    return market_chart, ohlc
