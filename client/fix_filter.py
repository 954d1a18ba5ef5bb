"""Which positions coverage may trust: accuracy, jumps, time, duplicates, cold-start junk.

`FixFilter.check(reading)` says whether a reading is accepted and, when it is, whether it
starts a new track: after a gap the track is split and the coverage engine must not
join the two pieces with a straight line (through buildings).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from client.nmea import Reading
from coverage.geo import haversine_m
from coverage.model import Fix


class Rejection(StrEnum):
    INACCURATE = "inaccurate"  # HDOP or reported error too large
    JUNK = "junk"  # impossible altitude: a cold-start solution
    DUPLICATE = "duplicate"  # same time as the last accepted fix
    OUT_OF_ORDER = "out_of_order"  # older than the last accepted fix
    STALE = "stale"  # older than the wall clock allows
    FUTURE = "future"  # ahead of the wall clock
    JUMP = "jump"  # implied speed impossible for a street vehicle


@dataclass(frozen=True, slots=True)
class FilterConfig:
    # HDOP above 20 is "poor" by every receiver vendor's table; the reported error is
    # used only when a source gives no HDOP (gpsd's `eph`)
    max_hdop: float = 20.0
    max_accuracy_m: float = 100.0
    # below any land (the Dead Sea shore is at -430 m) even for a converging 3D solution
    min_altitude_m: float = -1_000.0
    max_altitude_m: float = 9_000.0
    max_speed_mps: float = 50.0  # 180 km/h: a sweeper never does that
    jump_slack_m: float = 30.0  # GPS noise allowance on top of the speed limit
    max_age_s: float = 10.0  # against the wall clock, when one is given
    max_ahead_s: float = 5.0
    gap_s: float = 10.0  # longer without an accepted fix: a new track
    reanchor_after: int = 3  # consecutive agreeing "jumps" mean the old anchor was wrong


@dataclass(frozen=True, slots=True)
class FilterResult:
    fix: Fix | None
    rejection: Rejection | None = None
    new_track: bool = False

    @property
    def accepted(self) -> bool:
        return self.fix is not None


class FixFilter:
    """Stateful: remembers the last accepted fix. `clock` is None for recorded logs."""

    def __init__(
        self,
        config: FilterConfig | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.config = config or FilterConfig()
        self.clock = clock
        self._last: Fix | None = None
        self._suspects: list[Fix] = []
        self.rejected: dict[Rejection, int] = {}

    def _reject(self, why: Rejection) -> FilterResult:
        self.rejected[why] = self.rejected.get(why, 0) + 1
        return FilterResult(None, why)

    def check(self, reading: Reading) -> FilterResult:
        c = self.config
        fix = reading.fix
        if not (math.isfinite(fix.lat) and math.isfinite(fix.lon)):
            return self._reject(Rejection.JUNK)
        if reading.hdop is not None and reading.hdop > c.max_hdop:
            return self._reject(Rejection.INACCURATE)
        if (
            reading.hdop is None
            and fix.accuracy_m is not None
            and fix.accuracy_m > c.max_accuracy_m
        ):
            return self._reject(Rejection.INACCURATE)
        alt = reading.altitude_m
        if alt is not None and not c.min_altitude_m <= alt <= c.max_altitude_m:
            return self._reject(Rejection.JUNK)
        if self.clock is not None:
            now = self.clock()
            if fix.t < now - timedelta(seconds=c.max_age_s):
                return self._reject(Rejection.STALE)
            if fix.t > now + timedelta(seconds=c.max_ahead_s):
                return self._reject(Rejection.FUTURE)
        last = self._last
        if last is None:
            return self._accept(fix, True)
        dt = (fix.t - last.t).total_seconds()
        if dt == 0:
            return self._reject(Rejection.DUPLICATE)
        if dt < 0:
            return self._reject(Rejection.OUT_OF_ORDER)
        dist = haversine_m(last.lon, last.lat, fix.lon, fix.lat)
        if dist > c.max_speed_mps * dt + c.jump_slack_m:
            return self._jump(fix)
        self._suspects.clear()
        return self._accept(fix, dt > c.gap_s)

    def _jump(self, fix: Fix) -> FilterResult:
        """A jump may mean this fix is wrong, or the anchor was: trust a consistent run."""
        c = self.config
        if self._suspects:
            prev = self._suspects[-1]
            dt = (fix.t - prev.t).total_seconds()
            d = haversine_m(prev.lon, prev.lat, fix.lon, fix.lat)
            if dt <= 0 or d > c.max_speed_mps * dt + c.jump_slack_m:
                self._suspects.clear()
        self._suspects.append(fix)
        if len(self._suspects) >= c.reanchor_after:
            self._suspects.clear()
            return self._accept(fix, True)
        return self._reject(Rejection.JUMP)

    def _accept(self, fix: Fix, new_track: bool) -> FilterResult:
        self._last = fix
        return FilterResult(fix, None, new_track)
