"""CoinGecko-shaped payloads computed from the market model (field names and types as the real API).

Everything is a pure function of (seed, snapshot time), so two requests inside the same snapshot
window get byte-identical answers. Before the model's `ANCHOR` the market stands still: derived
fields (24h change, ATH, sparkline) clamp to it, and history endpoints simply start there.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from cryptoflow.coingecko import (
    MARKET_CHART_5MIN_DAYS,
    MARKET_CHART_HOURLY_DAYS,
    OHLC_4H_DAYS,
    OHLC_30MIN_DAYS,
    PRICE_CHANGE_WINDOWS,
    VS_CURRENCY,
    price_change_field,
)
from cryptoflow.simulator.market import ANCHOR_S, HOUR_S, MarketModel

DAY_S = 86_400
# The length of each CoinGecko price-change window.
PRICE_CHANGE_WINDOWS_S: dict[str, int] = dict(
    zip(
        PRICE_CHANGE_WINDOWS,
        (3600, DAY_S, 7 * DAY_S, 14 * DAY_S, 30 * DAY_S, 200 * DAY_S, 365 * DAY_S),
        strict=True,
    )
)
# Capped supplies of the coins that have one (others report null, as CoinGecko does).
MAX_SUPPLY: dict[str, float] = {
    "bitcoin": 21e6,
    "wrapped-bitcoin": 21e6,
    "bitcoin-cash": 21e6,
    "litecoin": 84e6,
    "ripple": 100e9,
    "cardano": 45e9,
    "stellar": 50e9,
    "binancecoin": 200e6,
    "ethereum-classic": 210.7e6,
    "algorand": 10e9,
    "hedera-hashgraph": 50e9,
    "kaspa": 28.7e9,
    "bittensor": 21e6,
    "chainlink": 1e9,
}
# Crowd-sale prices (USD) of the coins for which CoinGecko reports a `roi` object.
ICO_PRICE_USD: dict[str, float] = {
    "ethereum": 0.311,
    "cardano": 0.0024,
    "tron": 0.0019,
    "near": 0.4,
}


def iso_z(ts: float) -> str:
    """CoinGecko's timestamp format: `2024-04-07T16:49:00.000Z`."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{round(ts * 1000) % 1000:03d}Z"
    )


def _ms(ts: float) -> int:
    return round(ts * 1000)


@dataclass(frozen=True)
class MarketSnapshot:
    """All 50 coins at one snapshot instant, ranked by market cap."""

    at: float
    rows: list[dict[str, Any]]  # rank order, without the optional fields
    sparklines: dict[str, list[float]]  # coin id → 168 hourly prices
    changes: dict[str, dict[str, float | None]]  # coin id → window → % change


class Payloads:
    """Builds every CoinGecko response the simulator serves; caches the last few snapshots."""

    def __init__(self, model: MarketModel, *, cache_size: int = 4) -> None:
        self.model = model
        self._cache: OrderedDict[float, MarketSnapshot] = OrderedDict()
        self._cache_size = cache_size
        self.coin_index = {coin.id: i for i, coin in enumerate(model.coins)}

    def snapshot(self, at: float) -> MarketSnapshot:
        if (cached := self._cache.get(at)) is not None:
            self._cache.move_to_end(at)
            return cached
        snap = self._build_snapshot(at)
        self._cache[at] = snap
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return snap

    def _build_snapshot(self, at: float) -> MarketSnapshot:
        model, coins = self.model, self.model.coins
        supply = model.supply()
        now = model.prices_series(np.array([at]))[0]
        caps = now * supply
        volumes = model.volumes_series(np.array([at]))[0]

        back = np.maximum(np.array([at - s for s in PRICE_CHANGE_WINDOWS_S.values()]), ANCHOR_S)
        past = model.prices_series(back)
        day_ago = past[list(PRICE_CHANGE_WINDOWS_S).index("24h")]
        day = model.prices_series(np.maximum(np.arange(at - DAY_S, at + 1, 300.0), ANCHOR_S))
        high, low = np.maximum(day.max(axis=0), now), np.minimum(day.min(axis=0), now)
        spark_t = np.maximum(at - HOUR_S * np.arange(167, -1, -1), ANCHOR_S)
        spark = model.prices_series(spark_t)

        hours = np.append(np.arange(ANCHOR_S, at, HOUR_S), at)
        path = model.prices_series(hours)
        ath_i, atl_i = path.argmax(axis=0), path.argmin(axis=0)

        order = np.argsort(-caps, kind="stable")
        rows: list[dict[str, Any]] = []
        sparklines: dict[str, list[float]] = {}
        changes: dict[str, dict[str, float | None]] = {}
        for rank, i in enumerate(order.tolist(), start=1):
            coin = coins[i]
            price = float(now[i])
            max_supply = MAX_SUPPLY.get(coin.id)
            total_supply = max_supply * 0.9995 if max_supply else coin.supply * 1.04
            ath, atl = float(path[ath_i[i], i]), float(path[atl_i[i], i])
            cap_24h = float(day_ago[i] * supply[i])
            ico = ICO_PRICE_USD.get(coin.id)
            roi = (
                {
                    "times": price / ico - 1,
                    "currency": VS_CURRENCY,
                    "percentage": (price / ico - 1) * 100,
                }
                if ico
                else None
            )
            rows.append(
                {
                    "id": coin.id,
                    "symbol": coin.symbol,
                    "name": coin.name,
                    "image": f"https://coin-images.coingecko.com/coins/images/{i + 1}/large/{coin.id}.png",
                    "current_price": price,
                    "market_cap": round(float(caps[i])),
                    "market_cap_rank": rank,
                    "fully_diluted_valuation": round(price * (max_supply or total_supply)),
                    "total_volume": round(float(volumes[i])),
                    "high_24h": float(high[i]),
                    "low_24h": float(low[i]),
                    "price_change_24h": price - float(day_ago[i]),
                    "price_change_percentage_24h": (price / float(day_ago[i]) - 1) * 100,
                    "market_cap_change_24h": float(caps[i]) - cap_24h,
                    "market_cap_change_percentage_24h": (float(caps[i]) / cap_24h - 1) * 100,
                    "circulating_supply": float(supply[i]),
                    "total_supply": total_supply,
                    "max_supply": max_supply,
                    "ath": ath,
                    "ath_change_percentage": (price / ath - 1) * 100,
                    "ath_date": iso_z(float(hours[ath_i[i]])),
                    "atl": atl,
                    "atl_change_percentage": (price / atl - 1) * 100,
                    "atl_date": iso_z(float(hours[atl_i[i]])),
                    "roi": roi,
                    "last_updated": iso_z(at),
                }
            )
            sparklines[coin.id] = spark[:, i].tolist()
            changes[coin.id] = {
                window: (price / float(past[j, i]) - 1) * 100
                for j, window in enumerate(PRICE_CHANGE_WINDOWS_S)
            }
        return MarketSnapshot(at=at, rows=rows, sparklines=sparklines, changes=changes)

    def markets(
        self,
        at: float,
        *,
        order: str,
        per_page: int,
        page: int,
        ids: list[str] | None,
        sparkline: bool,
        price_change_windows: list[str],
    ) -> list[dict[str, Any]]:
        snap = self.snapshot(at)
        rows = snap.rows
        if ids is not None:
            wanted = set(ids)
            rows = [row for row in rows if row["id"] in wanted]
        field, descending = {
            "market_cap_desc": ("market_cap", True),
            "market_cap_asc": ("market_cap", False),
            "volume_desc": ("total_volume", True),
            "volume_asc": ("total_volume", False),
            "id_asc": ("id", False),
            "id_desc": ("id", True),
        }[order]
        rows = sorted(rows, key=lambda row: row[field], reverse=descending)
        rows = rows[(page - 1) * per_page : page * per_page]
        out = []
        for row in rows:
            coin_id = str(row["id"])
            item = dict(row)
            if sparkline:
                item["sparkline_in_7d"] = {"price": snap.sparklines[coin_id]}
            for window in price_change_windows:
                item[price_change_field(window)] = snap.changes[coin_id][window]
            out.append(item)
        return out

    def market_chart(self, coin_id: str, at: float, days: float) -> dict[str, list[list[float]]]:
        """CoinGecko's automatic granularity: 1 day → 5-minutely, ≤ 90 → hourly, else daily."""
        step = (
            300
            if days <= MARKET_CHART_5MIN_DAYS
            else HOUR_S
            if days <= MARKET_CHART_HOURLY_DAYS
            else DAY_S
        )
        start = max(at - days * DAY_S, ANCHOR_S)
        first = math.floor(start / step) * step + step
        grid = np.arange(first, at, step, dtype=np.float64)
        times = np.append(grid, at)
        i = self.coin_index[coin_id]
        prices = self.model.prices_series(times)[:, i]
        caps = prices * self.model.supply()[i]
        volumes = self.model.volumes_series(times)[:, i]
        stamps = [_ms(t) for t in times.tolist()]
        return {
            "prices": [[t, p] for t, p in zip(stamps, prices.tolist(), strict=True)],
            "market_caps": [[t, c] for t, c in zip(stamps, caps.tolist(), strict=True)],
            "total_volumes": [[t, v] for t, v in zip(stamps, volumes.tolist(), strict=True)],
        }

    def ohlc(self, coin_id: str, at: float, days: int) -> list[list[float]]:
        """Complete candles closing in the last `days`: 30 min (≤ 2 d), 4 h (≤ 30 d), 4 days."""
        size = (
            1800 if days <= OHLC_30MIN_DAYS else 4 * HOUR_S if days <= OHLC_4H_DAYS else 4 * DAY_S
        )
        samples = 7 if size == 1800 else 9 if size == 4 * HOUR_S else 97
        last_close = math.floor(at / size) * size
        closes = np.arange(last_close, at - days * DAY_S, -size)[::-1]
        closes = closes[closes - size >= ANCHOR_S]
        if closes.size == 0:
            return []
        offsets = np.linspace(-size, 0, samples)
        grid = (closes[:, None] + offsets[None, :]).ravel()
        path = self.model.prices_series(grid)[:, self.coin_index[coin_id]].reshape(-1, samples)
        return [
            [_ms(c), o, h, lo, cl]
            for c, o, h, lo, cl in zip(
                closes.tolist(),
                path[:, 0].tolist(),
                path.max(axis=1).tolist(),
                path.min(axis=1).tolist(),
                path[:, -1].tolist(),
                strict=True,
            )
        ]

    def global_data(self, at: float) -> dict[str, Any]:
        snap = self.snapshot(at)
        caps = {row["id"]: float(row["market_cap"]) for row in snap.rows}
        symbols = {row["id"]: row["symbol"] for row in snap.rows}
        top_share = 0.93  # the 50 simulated coins hold ~93% of the whole market
        total_cap = sum(caps.values()) / top_share
        total_volume = sum(float(row["total_volume"]) for row in snap.rows) / top_share
        change = sum(float(row["market_cap_change_24h"]) for row in snap.rows) / top_share
        btc_price = next(row["current_price"] for row in snap.rows if row["id"] == "bitcoin")
        days = int((at - ANCHOR_S) // DAY_S)
        return {
            "data": {
                "active_cryptocurrencies": 15_000 + 4 * days,
                "upcoming_icos": 0,
                "ongoing_icos": 49,
                "ended_icos": 3376,
                "markets": 1_150 + days // 10,
                "total_market_cap": {"usd": total_cap, "btc": total_cap / btc_price},
                "total_volume": {"usd": total_volume, "btc": total_volume / btc_price},
                "market_cap_percentage": {
                    symbols[coin_id]: cap / total_cap * 100
                    for coin_id, cap in list(caps.items())[:10]
                },
                "market_cap_change_percentage_24h_usd": change / (total_cap - change) * 100,
                "updated_at": int(at),
            }
        }
