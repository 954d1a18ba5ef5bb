"""MotionLock: is the vehicle moving, for the in-cab rule (no typing while moving)?

The raw receiver speed of a sweeper wanders around walking pace: it sweeps at 3-10 km/h
and one fix's speed jitters by a few km/h. Comparing each fix with one threshold flipped
the lock 268 times in a simulated hour, closing the note editor as it opened. So the
lock works on the speed averaged over the last few seconds, with hysteresis:

- it locks when the smoothed speed stays above `LOCK_KMH` for `LOCK_HOLD_S` (locking
  is the safe direction, so both are low);
- it unlocks only when the smoothed speed stays below `UNLOCK_KMH` for `UNLOCK_HOLD_S`
  (below the sweeping band, so sweeping slowly never unlocks it).

With no speed ("unknown": no fix, a stale one, a receiver without speed) the vehicle
counts as moving, unless it was stopped (unlocked) when the speed was lost: a sweeper
parked in a tunnel may still type, one that loses GPS while driving may not. At start
the vehicle is taken as stopped (a shift starts parked), so the first unknown keeps it so.

Qt-free: the screen (ui/motion.py) only shows the state; time is the fixes' own time.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

SMOOTH_S = 5.0
LOCK_KMH = 5.0
LOCK_HOLD_S = 1.0
UNLOCK_KMH = 2.0
UNLOCK_HOLD_S = 6.0


@dataclass(frozen=True, slots=True)
class LockSettings:
    """The thresholds (km/h) and times (s); the defaults are the in-cab rule's."""

    smooth_s: float = SMOOTH_S
    lock_kmh: float = LOCK_KMH
    lock_hold_s: float = LOCK_HOLD_S
    unlock_kmh: float = UNLOCK_KMH
    unlock_hold_s: float = UNLOCK_HOLD_S


class MotionLock:
    """Feed it every speed sample (`observe`); read `locked`; `changes` counts flips."""

    def __init__(self, settings: LockSettings | None = None) -> None:
        self.settings = settings or LockSettings()
        self._samples: deque[tuple[datetime, float]] = deque()
        self._locked = False
        self._unknown = False
        # Since when the smoothed speed has been on the other side of the threshold.
        self._crossing_since: datetime | None = None
        self._last_t: datetime | None = None
        self.changes = 0

    @property
    def locked(self) -> bool:
        """True while typing and reading dialogs are refused."""
        return self._locked

    @property
    def smoothed_kmh(self) -> float | None:
        """The mean speed over the last `smooth_s` seconds, None when unknown."""
        if self._unknown or not self._samples:
            return None
        return sum(s for _t, s in self._samples) / len(self._samples)

    def observe(self, t: datetime, speed_kmh: float | None) -> bool:
        """One sample at `t` (None: the speed is unknown now); returns True if the lock
        changed. Speeds older than the last one are ignored (time never runs back); an
        unknown speed needs no time (it may come from the wall clock, not the GPS's)."""
        if speed_kmh is None:
            return self._observe_unknown()
        if self._last_t is not None and t < self._last_t:
            return False
        self._last_t = t
        self._unknown = False
        self._samples.append((t, max(0.0, speed_kmh)))
        horizon = t - timedelta(seconds=self.settings.smooth_s)
        while self._samples and self._samples[0][0] < horizon:
            self._samples.popleft()
        smoothed = self.smoothed_kmh
        assert smoothed is not None
        s = self.settings
        if self._locked:
            crossing, hold = smoothed < s.unlock_kmh, s.unlock_hold_s
        else:
            crossing, hold = smoothed > s.lock_kmh, s.lock_hold_s
        if not crossing:
            self._crossing_since = None
            return False
        if self._crossing_since is None:
            self._crossing_since = t
        if (t - self._crossing_since).total_seconds() < hold:
            return False
        return self._set(not self._locked)

    def _observe_unknown(self) -> bool:
        # "Stopped before it was lost": unlocked and crawling below the unlock speed
        # (or no sample at all yet: the start, taken as parked). Anything else counts as
        # moving until a fix says otherwise. The old samples say nothing about what comes.
        last = self.smoothed_kmh
        stopped = not self._locked and (last is None or last < self.settings.unlock_kmh)
        if self._unknown:
            stopped = not self._locked
        self._unknown = True
        self._samples.clear()
        self._crossing_since = None
        if self._locked or stopped:
            return False
        return self._set(True)

    def _set(self, locked: bool) -> bool:
        self._locked = locked
        self._crossing_since = None
        self.changes += 1
        return True
