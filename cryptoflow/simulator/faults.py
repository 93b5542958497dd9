"""Fault injection for the simulator's REST API: the failures a CoinGecko client must survive.

Decisions are deterministic: each fault kind keeps its own counter, and a fault fires whenever
`count · rate` crosses an integer (with a seeded phase). Over any `n` trials a fault with rate `r`
therefore fires `floor(n·r)` or `ceil(n·r)` times, so tests can assert the configured rate exactly
and a rerun with the same seed fails in the same places.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from enum import StrEnum

import numpy as np
from pydantic import BaseModel, ConfigDict, Field


class FaultKind(StrEnum):
    RATE_LIMIT = "rate_limit"  # HTTP 429 with Retry-After
    SERVER_ERROR = "server_error"  # HTTP 5xx, sometimes an HTML page as CDNs send
    MALFORMED_ROW = "malformed_row"  # one `/coins/markets` row with a wrong value
    TRUNCATED = "truncated"  # a 200 response whose JSON body is cut in half
    MISSING_COIN = "missing_coin"  # a `/coins/markets` page that lacks one coin


class FaultConfig(BaseModel):
    """Rates are fractions in [0, 1]: per request, per markets row or per markets response."""

    model_config = ConfigDict(extra="forbid")

    rate_429: float = Field(default=0.0, ge=0, le=1, description="requests answered 429")
    retry_after_s: int = Field(default=1, ge=0, le=3600, description="Retry-After of a 429")
    rate_5xx: float = Field(default=0.0, ge=0, le=1, description="requests answered 5xx")
    latency_ms: int = Field(default=0, ge=0, le=60_000, description="delay of every API response")
    malformed_rate: float = Field(default=0.0, ge=0, le=1, description="markets rows corrupted")
    truncated_rate: float = Field(default=0.0, ge=0, le=1, description="bodies cut in half")
    missing_coin_rate: float = Field(
        default=0.0, ge=0, le=1, description="markets responses missing one coin"
    )

    def rate(self, kind: FaultKind) -> float:
        return {
            FaultKind.RATE_LIMIT: self.rate_429,
            FaultKind.SERVER_ERROR: self.rate_5xx,
            FaultKind.MALFORMED_ROW: self.malformed_rate,
            FaultKind.TRUNCATED: self.truncated_rate,
            FaultKind.MISSING_COIN: self.missing_coin_rate,
        }[kind]


class FaultInjector:
    """Decides, request by request, which configured fault happens; counts what it injected."""

    def __init__(self, config: FaultConfig, *, seed: int) -> None:
        self._seed = seed
        self._lock = threading.Lock()
        self.reconfigure(config)

    def reconfigure(self, config: FaultConfig) -> None:
        """Swap the fault settings and restart every counter (so a test sees a clean sequence)."""
        with self._lock:
            self.config = config
            self._trials: Counter[FaultKind] = Counter()
            self.injected: Counter[FaultKind] = Counter()
            self.requests = 0
            phases = np.random.default_rng([self._seed, 0xFA017]).random(len(FaultKind))
            self._phase = dict(zip(FaultKind, phases.tolist(), strict=True))

    def count_request(self) -> None:
        with self._lock:
            self.requests += 1

    def hit(self, kind: FaultKind) -> bool:
        """One trial of `kind`: True when this trial gets the fault."""
        rate = self.config.rate(kind)
        with self._lock:
            n = self._trials[kind]
            self._trials[kind] += 1
            phase = self._phase[kind]
            fired = math.floor((n + 1) * rate + phase) > math.floor(n * rate + phase)
            if fired:
                self.injected[kind] += 1
            return fired

    def stats(self) -> dict[str, object]:
        with self._lock:
            return {
                "requests": self.requests,
                "trials": {kind.value: self._trials[kind] for kind in FaultKind},
                "injected": {kind.value: self.injected[kind] for kind in FaultKind},
            }
