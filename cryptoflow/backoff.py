"""Exponential backoff with jitter, shared by everything that reconnects (feeds, Redis).

Jitter spreads the reconnects of many processes (API workers, consumers) after a shared outage,
so a restarted Redis or feed is not hit by all of them in the same instant.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delays `initial_s · factor^n`, capped at `max_s`, each scaled by a random factor in [0.5, 1]."""

    initial_s: float = 0.5
    max_s: float = 30.0
    factor: float = 2.0
    attempts: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def next_delay(self) -> float:
        base = min(self.max_s, self.initial_s * self.factor**self.attempts)
        self.attempts += 1
        return base * self._rng.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.attempts = 0
