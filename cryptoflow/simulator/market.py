"""A deterministic market: correlated geometric Brownian motion for the 50 simulated coins.

Log prices move hourly: each coin's shock mixes one common market factor (weighted by the
coin's beta) with its own noise, so correlations, volatility and drawdowns are meaningful.
Stablecoins wander a few basis points around $1 instead. Between hours the price is
interpolated, so any instant has one price for a given seed: the same seed and clock always
give the same data, whichever endpoint asks.
"""

from __future__ import annotations

import math
import threading
from datetime import UTC, datetime

import numpy as np

from cryptoflow.simulator.coins import COINS

ANCHOR = datetime(2024, 1, 1, tzinfo=UTC)
ANCHOR_S = ANCHOR.timestamp()
HOUR_S = 3600.0
HOURS_PER_YEAR = 365 * 24
_STABLE_VOL = 0.01


class MarketModel:
    """Prices, market caps and volumes of the simulated coins at any time after `ANCHOR`."""

    def __init__(self, seed: int = 42) -> None:
        self.seed = seed
        self.coins = COINS
        vols = np.array([coin.vol for coin in COINS])
        betas = np.array([coin.beta for coin in COINS])
        self._stable = vols < _STABLE_VOL
        self._market_weight = np.minimum(0.85, 0.7 * betas)
        self._step_sd = vols / math.sqrt(HOURS_PER_YEAR)
        self._log_p0 = np.log(np.array([coin.price for coin in COINS]))
        self._supply = np.array([coin.supply for coin in COINS])
        self._cum = np.zeros((1, len(COINS)))  # cumulative log return at each hour since ANCHOR
        self._turnover = np.zeros((1, len(COINS)))
        self._lock = threading.Lock()

    def _day_shocks(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng([self.seed, day])
        market = rng.standard_normal((24, 1))
        own = rng.standard_normal((24, len(self.coins)))
        w = self._market_weight
        z = w * market + np.sqrt(1.0 - w**2) * own
        turnover = 0.03 * np.exp(0.35 * rng.standard_normal((24, len(self.coins))))
        return z, turnover

    def _extend(self, hours: int) -> None:
        with self._lock:
            have = self._cum.shape[0]
            if hours < have:
                return
            first_day = (have - 1) // 24
            last_day = hours // 24 + 1
            cum_blocks, turn_blocks = [], []
            for day in range(first_day, last_day + 1):
                z, turnover = self._day_shocks(day)
                cum_blocks.append(z)
                turn_blocks.append(turnover)
            z_all = np.vstack(cum_blocks)
            drift = -0.5 * self._step_sd**2
            steps = drift + self._step_sd * z_all
            # Full recompute from the day boundary keeps results independent of call order.
            base = self._cum[first_day * 24]
            cum = base + np.cumsum(steps, axis=0)
            self._cum = np.vstack([self._cum[: first_day * 24 + 1], cum])
            turn = np.vstack(turn_blocks)
            self._turnover = np.vstack([self._turnover[: first_day * 24 + 1], turn])[
                : self._cum.shape[0]
            ]

    def _hours(self, unix_s: np.ndarray) -> np.ndarray:
        hours = (unix_s - ANCHOR_S) / HOUR_S
        if hours.size and hours.min() < 0:
            raise ValueError(f"the simulator has no data before {ANCHOR.isoformat()}")
        return hours

    def _cum_at(self, hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Hour index and interpolated cumulative log return, shape (len(hours), coins)."""
        lo = np.floor(hours).astype(np.int64)
        self._extend(int(lo.max()) + 2 if lo.size else 2)
        frac = (hours - lo)[:, None]
        return lo, (1 - frac) * self._cum[lo] + frac * self._cum[lo + 1]

    def prices_series(self, unix_s: np.ndarray) -> np.ndarray:
        """USD price of every coin at every instant of `unix_s`, shape (len(unix_s), coins)."""
        lo, cum = self._cum_at(self._hours(np.asarray(unix_s, dtype=np.float64)))
        prices = np.exp(self._log_p0 + cum)
        if self._stable.any():
            wobble = 0.0008 * np.sin(cum * 400.0 + lo[:, None])
            prices = np.where(self._stable, 1.0 + wobble, prices)
        return prices

    def volumes_series(self, unix_s: np.ndarray) -> np.ndarray:
        """24h traded volume in USD: a noisy, persistent fraction of market cap."""
        unix_s = np.asarray(unix_s, dtype=np.float64)
        lo = np.floor(self._hours(unix_s)).astype(np.int64)
        self._extend(int(lo.max()) + 2 if lo.size else 2)
        return self.prices_series(unix_s) * self._supply * self._turnover[lo]

    def prices_at(self, ts: datetime) -> np.ndarray:
        """USD price of every coin (in `COINS` order) at `ts`."""
        return self.prices_series(np.array([ts.timestamp()]))[0]

    def volumes_at(self, ts: datetime) -> np.ndarray:
        return self.volumes_series(np.array([ts.timestamp()]))[0]

    def supply(self) -> np.ndarray:
        return self._supply.copy()
