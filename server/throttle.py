"""Login throttling: per account and per client address, atomic, bounded, forgiving.

Each attempt is counted *before* the password is checked (a reservation taken under
one lock), so forty guesses sent at once cannot all pass a limit of ten while the slow
hash runs; a login that succeeds gives its reservation back.

Past the allowance a key is not locked for the whole window: each further attempt must
wait a delay that doubles from one second up to `max_delay_s` after the previous one.
A guesser gets a handful of tries a minute; the account's owner, who may share the
guesser's address (one depot, one NAT), waits at most `max_delay_s` and gets in.

Keys live in one insertion-ordered map: touching a key moves it to the end, keys whose
last attempt left the window fall off the front, and past `max_keys` the least recently
used go too, so sprayed usernames cost bounded memory. Durations use a monotonic clock
(injectable for tests): no calendar question is asked here.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from server.settings import Settings


@dataclass(frozen=True, slots=True)
class Attempt:
    """A reserved attempt: report how it ended with `failed` or `succeeded`."""

    keys: tuple[tuple[str, str], ...]
    at: float


class LoginThrottle:
    def __init__(
        self,
        *,
        per_account: int,
        per_address: int,
        window_s: float,
        max_delay_s: float,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._allowed = {"account": per_account, "address": per_address}
        self._window_s = window_s
        self._max_delay_s = max_delay_s
        self._max_keys = max_keys
        self._clock = clock
        self._attempts: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(
        cls, settings: Settings, *, clock: Callable[[], float] = time.monotonic
    ) -> LoginThrottle:
        return cls(
            per_account=settings.login_failures_allowed,
            per_address=settings.login_failures_per_address,
            window_s=settings.login_failure_window_s,
            max_delay_s=settings.login_max_delay_s,
            max_keys=settings.login_throttle_max_keys,
            clock=clock,
        )

    def __len__(self) -> int:
        return len(self._attempts)

    def begin(self, username: str, address: str) -> Attempt | int:
        """Reserve an attempt, or the whole seconds to wait before the next one."""
        keys = (("account", username), ("address", address))
        with self._lock:
            now = self._clock()
            self._forget(now)
            wait = max(self._wait(key, now) for key in keys)
            if wait > 0:
                return max(1, math.ceil(wait))
            for key in keys:
                self._attempts.setdefault(key, deque()).append(now)
                self._attempts.move_to_end(key)
            while len(self._attempts) > self._max_keys:
                self._attempts.popitem(last=False)
        return Attempt(keys, now)

    def failed(self, attempt: Attempt) -> None:
        """The reservation stays: it was a failure."""

    def succeeded(self, attempt: Attempt) -> None:
        """Give the reservation back: a right password is not a guess."""
        with self._lock:
            for key in attempt.keys:
                times = self._attempts.get(key)
                if times is None:
                    continue
                try:
                    times.remove(attempt.at)
                except ValueError:
                    continue
                if not times:
                    del self._attempts[key]

    def _wait(self, key: tuple[str, str], now: float) -> float:
        times = self._attempts.get(key)
        if times is None:
            return 0.0
        while times and times[0] <= now - self._window_s:
            times.popleft()
        excess = len(times) - self._allowed[key[0]]
        if excess < 0 or not times:
            return 0.0
        delay = min(self._max_delay_s, 2.0**excess)
        return times[-1] + delay - now

    def _forget(self, now: float) -> None:
        while self._attempts:
            key, times = next(iter(self._attempts.items()))
            if times and times[-1] > now - self._window_s:
                return
            del self._attempts[key]
