"""Exponential backoff with full jitter, with the server's Retry-After as a floor.

Full jitter (a uniform wait in [0, min(cap, base·2^n)]) keeps a fleet of tablets that
lost the same cell tower from hammering the server in lock-step when it comes back.
"""

from __future__ import annotations

import random
from collections.abc import Callable


class Backoff:
    def __init__(
        self, base_s: float = 1.0, cap_s: float = 300.0, rng: Callable[[], float] = random.random
    ) -> None:
        self.base_s = base_s
        self.cap_s = cap_s
        self._rng = rng
        self.attempts = 0

    def next_delay(self, floor_s: float | None = None) -> float:
        ceiling = min(self.cap_s, self.base_s * 2.0**self.attempts)
        self.attempts += 1
        delay = self._rng() * ceiling
        return max(delay, floor_s or 0.0)

    def reset(self) -> None:
        self.attempts = 0
