"""A per-address request limit for the endpoints anyone may call (no login to slow
them down): at most `per_minute` requests in any sliding 60 s window per address.

Bounded like the login throttle: addresses live in an insertion-ordered map, touched
ones move to the end, and past `max_keys` the least recently seen are forgotten.
Durations use a monotonic clock (injectable for tests).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

WINDOW_S = 60.0


class RateLimit:
    def __init__(
        self,
        per_minute: int,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute < 1:
            raise ValueError(f"per_minute must be at least 1, not {per_minute}")
        self.per_minute = per_minute
        self._max_keys = max_keys
        self._clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, address: str) -> float:
        """Count one request; 0 when allowed, else the seconds until one would be."""
        now = self._clock()
        with self._lock:
            times = self._seen.pop(address, None) or deque()
            while times and now - times[0] >= WINDOW_S:
                times.popleft()
            self._seen[address] = times
            while len(self._seen) > self._max_keys:
                self._seen.popitem(last=False)
            if len(times) >= self.per_minute:
                return max(0.0, WINDOW_S - (now - times[0]))
            times.append(now)
            return 0.0

    @staticmethod
    def retry_after(wait_s: float) -> str:
        """The Retry-After header value (whole seconds, at least 1)."""
        return str(max(1, math.ceil(wait_s)))
