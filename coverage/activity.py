"""Which fixes and pieces of track the rule trusts, and whether the vehicle was sweeping.

Three safeguards of COVERAGE.md ("False sweeps") live here, shared by both profiles:

- **Accuracy counts.** A fix reporting an error above the profile's `max_accuracy_m`
  (10 m) is dropped: it starts nothing, ends nothing, adds nothing. An unknown accuracy
  is taken as `unknown_accuracy_m` (5 m).
- **Gaps by principle.** A piece joins two consecutive trusted fixes only when the gap
  is within the source's bounds in time and in straight-line length
  (`profiles.SOURCE_BOUNDS`: 5 s / 20 m for a 1 Hz receiver, 120 s / 200 m for a
  telematics feed); otherwise the track breaks and nothing is drawn across the gap.
- **Standing still is not sweeping.** Speed is judged from the displacement over the
  source's speed window (10 s for a receiver, 60 s for a telematics feed; the window
  starts at the latest fix at least that old, so a track younger than its window sweeps
  nothing yet), at both ends of the sweeping band. Jitter around a parked truck moves
  the fix back and forth but does not displace it: over 10 s, 2 km/h needs 5.6 m. The
  City's own test on consecutive fixes (and their 3-point median) is not used: at
  sweeping speeds 1 m of jitter between two fixes is 3.6 km/h, so consecutive-fix speed
  calls a parked truck moving and cuts a real sweep into "transit" pieces. A glitch is
  handled by the gap bounds instead (a 1 Hz piece longer than 20 m breaks the track),
  and whatever a glitch shorter than that adds is bounded by the stretch it spans.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import StrEnum

from coverage.model import Fix
from coverage.profiles import CoverageProfile, SourceBounds


class Activity(StrEnum):
    ON = "on"  # sweeping
    OFF = "off"  # standing or creeping: not displacing at sweeping speed
    TRANSIT = "transit"  # faster than the sweeping band


def classify(window_mps: float | None, profile: CoverageProfile) -> Activity:
    """The activity of one piece from the displacement speed over the window (None: the
    track is younger than its window)."""
    if window_mps is None or window_mps < profile.min_speed_kmh / 3.6:
        return Activity.OFF
    if window_mps > profile.max_speed_kmh / 3.6:
        return Activity.TRANSIT
    return Activity.ON


def fix_accuracy(fix: Fix, profile: CoverageProfile) -> float:
    return profile.unknown_accuracy_m if fix.accuracy_m is None else fix.accuracy_m


@dataclass(frozen=True, slots=True)
class Piece:
    """One straight piece of trusted track, from the previous trusted fix to this one."""

    px: float
    py: float
    qx: float
    qy: float
    dt_s: float
    raw_mps: float
    window_mps: float | None
    activity: Activity


class TrackFollower:
    """Turns trusted fixes (metres, seconds) into pieces, breaking the track at gaps."""

    def __init__(self, profile: CoverageProfile, bounds: SourceBounds) -> None:
        self.profile = profile
        self.bounds = bounds
        self._recent: deque[tuple[float, float, float]] = deque()  # (t, x, y) of this track

    def break_track(self) -> None:
        self._recent.clear()

    def step(self, t: float, x: float, y: float) -> Piece | None:
        """The piece ending at this fix; None when the fix starts a track or repeats a time."""
        recent = self._recent
        if recent:
            pt, px, py = recent[-1]
            dt = t - pt
            if dt <= 0:
                return None
            d = math.hypot(x - px, y - py)
            if dt > self.bounds.max_gap_s or d > self.bounds.max_gap_m:
                self.break_track()
        recent.append((t, x, y))
        if len(recent) == 1:
            return None
        window_start = t - self.bounds.speed_window_s
        while len(recent) > 1 and recent[1][0] <= window_start:
            recent.popleft()
        window: float | None = None
        wt, wx, wy = recent[0]
        if wt <= window_start:
            window = math.hypot(x - wx, y - wy) / (t - wt)
        return Piece(px, py, x, y, dt, d / dt, window, classify(window, self.profile))
