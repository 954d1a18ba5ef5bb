"""The coverage engine: the City of Kitchener's 2023 rule, live, fix by fix, by curb side.

Two profiles share one incremental computation:

- `KITCHENER_2023` is the City's published rule (COVERAGE.md): speed from consecutive
  fixes with a 3-point moving median (trailing, as a rolling window over a live feed
  is), "on" when raw and median are both ≤ 12 km/h and not both < 2 km/h (or 0);
  segments trimmed 10 m at each end and buffered `LANES × 3.3 + 6` m with flat caps;
  passes = track length inside the buffer / trimmed length, rounded (half up), the same
  over "on" track for sweeping passes; a segment counts only when more than 36 % of its
  buffer area lies within 10 m of the track; swept when it counts and has a sweeping
  pass.
- `SWEEPLINE` adds curb sides: a pass brushes the right-hand curb, so travelling with
  the segment's digitised direction sweeps its right side and against it its left; a
  two-way street needs both sides (one pass suffices for one-way and narrow streets);
  the broom-down signal decides "on" when present ("sensed"), the speed band otherwise
  ("inferred"); progress is in curb metres.

Each fix adds one straight piece of track from the previous fix (never across a gap
longer than `max_gap_s` or a `break_track()`); the piece is clipped exactly against the
buffer of each nearby segment (union of edge rectangles and round joins, as a flat-cap
buffer is), and its 10 m buffer marks cells of a per-segment raster in along/across
coordinates (1 m × 0.5 m) from which the covered area fraction is read.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coverage.explain import NotSweptReason, SegmentExplanation, confirmation_fact, override_fact
from coverage.geo import LocalProjection
from coverage.model import Fix, Progress, Route, SegmentState, SegmentStatus
from coverage.profiles import (
    PROFILES,
    SWEEPLINE,
    Activity,
    CoverageProfile,
    SegmentRules,
    classify,
)
from coverage.track import SegmentTrack, clip_length, mark_cells

_CELL_M = 64.0


@dataclass(frozen=True, slots=True)
class CoverageUpdate:
    changed: frozenset[str]
    newly_swept: frozenset[str]


class CoverageEngine:
    """Fixes in, segment statuses out, live; state saved and restored per segment."""

    def __init__(
        self,
        route: Route,
        profile: CoverageProfile | str = SWEEPLINE,
        *,
        rules: Mapping[str, SegmentRules] | None = None,
        projection: LocalProjection | None = None,
    ) -> None:
        self.route = route
        self.profile = PROFILES[profile] if isinstance(profile, str) else profile
        coords = [c for s in route.segments for c in s.coords]
        self._proj = projection or (
            LocalProjection.around(coords) if coords else LocalProjection(0.0, 0.0)
        )
        rules = rules or {}
        self._segs: dict[str, SegmentTrack] = {}
        self._grid: dict[tuple[int, int], list[SegmentTrack]] = {}
        for seg in route.segments:
            xy = [self._proj.to_xy(lon, lat) for lon, lat in seg.coords]
            s = SegmentTrack(
                seg, xy, self.profile, rules.get(seg.id) or SegmentRules.for_segment(seg)
            )
            self._segs[seg.id] = s
            if s.usable:
                pad = self.profile.track_buffer_m
                x0, y0, x1, y1 = s.bbox
                for cx in range(int((x0 - pad) // _CELL_M), int((x1 + pad) // _CELL_M) + 1):
                    for cy in range(int((y0 - pad) // _CELL_M), int((y1 + pad) // _CELL_M) + 1):
                        self._grid.setdefault((cx, cy), []).append(s)
        self._prev: Fix | None = None
        self._prev_xy = (0.0, 0.0)
        self._speeds: deque[float] = deque(maxlen=3)
        self._broom: bool | None = None
        self._dirty: set[str] = set()
        self.pieces = 0

    # -- input ----------------------------------------------------------------------------

    def set_broom(self, down: bool | None) -> None:
        """The broom-down signal (vehicle input or operator toggle); None: not available."""
        self._broom = down

    def break_track(self) -> None:
        """The next fix starts a new track (the fix filter saw a gap or re-anchored)."""
        self._prev = None
        self._speeds.clear()

    def add_fix(self, fix: Fix, *, new_track: bool = False) -> CoverageUpdate:
        if new_track:
            self.break_track()
        prev = self._prev
        x, y = self._proj.to_xy(fix.lon, fix.lat)
        if prev is not None:
            dt = (fix.t - prev.t).total_seconds()
            if dt <= 0:
                return CoverageUpdate(frozenset(), frozenset())
            if dt > self.profile.max_gap_s:
                self.break_track()
                prev = None
        if prev is None:
            self._prev, self._prev_xy = fix, (x, y)
            return CoverageUpdate(frozenset(), frozenset())
        px, py = self._prev_xy
        self._prev, self._prev_xy = fix, (x, y)
        raw = math.hypot(x - px, y - py) / dt
        self._speeds.append(raw)
        median = statistics.median(self._speeds)
        activity = classify(raw, median, self.profile)
        sensed = self._broom is not None and self.profile.curb_sides
        if sensed:
            activity = Activity.ON if self._broom and raw > 0 else Activity.OFF
        return self._piece(px, py, x, y, raw, activity, sensed, fix.t)

    # -- geometry ---------------------------------------------------------------------------

    def _candidates(self, px: float, py: float, qx: float, qy: float) -> list[SegmentTrack]:
        pad = self.profile.track_buffer_m
        x0, x1 = (px, qx) if px <= qx else (qx, px)
        y0, y1 = (py, qy) if py <= qy else (qy, py)
        found: dict[str, SegmentTrack] = {}
        for cx in range(int(x0 // _CELL_M), int(x1 // _CELL_M) + 1):
            for cy in range(int(y0 // _CELL_M), int(y1 // _CELL_M) + 1):
                for s in self._grid.get((cx, cy), ()):
                    b = s.bbox
                    if (
                        x1 + pad >= b[0]
                        and x0 - pad <= b[2]
                        and y1 + pad >= b[1]
                        and y0 - pad <= b[3]
                    ):
                        found[s.id] = s
        return list(found.values())

    def _piece(
        self,
        px: float,
        py: float,
        qx: float,
        qy: float,
        speed: float,
        activity: Activity,
        sensed: bool,
        t: datetime,
    ) -> CoverageUpdate:
        self.pieces += 1
        changed: set[str] = set()
        swept: set[str] = set()
        dx, dy = qx - px, qy - py
        plen = math.hypot(dx, dy)
        profile = self.profile
        for s in self._candidates(px, py, qx, qy):
            was = s.swept(profile)
            touched = False
            if plen > 0:
                inside, side = clip_length(s, px, py, dx, dy)
                if inside > 0:
                    length = inside * plen
                    touched = True
                    s.len_in += length
                    kmh = speed * 3.6
                    s.max_seen = max(s.max_seen, kmh)
                    if activity is Activity.ON:
                        s.len_on += length
                        s.len_on_side[side] += length
                        s.on_min = min(s.on_min, kmh)
                        s.on_max = max(s.on_max, kmh)
                        if sensed:
                            s.sensed = True
                        else:
                            s.inferred = True
            if mark_cells(s, px, py, qx, qy, plen, profile.track_buffer_m):
                touched = True
            if touched:
                changed.add(s.id)
                self._dirty.add(s.id)
                if not was and s.swept(profile):
                    s.swept_at = t
                    swept.add(s.id)
        return CoverageUpdate(frozenset(changed), frozenset(swept))

    # -- state for the screens --------------------------------------------------------------

    def status(self, segment_id: str) -> SegmentStatus:
        s = self._segs[segment_id]
        p = self.profile
        if s.swept(p):
            state = SegmentState.SWEPT
        elif s.cells or s.len_in:
            state = SegmentState.IN_PROGRESS
        else:
            state = SegmentState.NOT_STARTED
        fraction = s.curb_fraction(p) if p.curb_sides else s.area_fraction
        swept_at = s.swept_at if state is SegmentState.SWEPT else None
        return SegmentStatus(segment_id, state, fraction, swept_at)

    def statuses(self) -> dict[str, SegmentStatus]:
        return {sid: self.status(sid) for sid in self._segs}

    def swept_ids(self) -> set[str]:
        return {sid for sid, s in self._segs.items() if s.swept(self.profile)}

    def passes(self, segment_id: str) -> tuple[int, int]:
        """(passes, sweeping passes) by the City's rule."""
        s = self._segs[segment_id]
        return s.passes(s.len_in), s.passes(s.len_on)

    def progress(self) -> Progress:
        """Street metres for kitchener-2023; curb metres (two per street metre) for Sweepline."""
        p = self.profile
        total = swept = 0.0
        n_total = n_swept = 0
        for s in self._segs.values():
            if s.rules.excluded:
                continue
            n_total += 1
            done = s.swept(p)
            n_swept += done
            if not p.curb_sides:
                total += s.length_m
                swept += s.length_m if done else 0.0
                continue
            total += 2 * s.length_m
            if done:
                swept += 2 * s.length_m
            elif s.operator is None and s.rules.sides_needed == 2:
                swept += s.length_m * len(s.sides_done(p))
        return Progress(total, swept, n_total, n_swept)

    def explain(self, segment_id: str) -> SegmentExplanation:
        s = self._segs[segment_id]
        p = self.profile
        status = self.status(segment_id)
        passes, on_passes = s.passes(s.len_in), s.passes(s.len_on)
        by_side = {"right": s.passes(s.len_on_side[0]), "left": s.passes(s.len_on_side[1])}
        done = s.sides_done(p) if p.curb_sides else ()
        source = (
            "operator"
            if s.operator
            else ("sensed" if s.sensed else "inferred" if s.inferred else None)
        )
        reason: str | None = None
        if status.state is not SegmentState.SWEPT:
            reason = self._why_not(s, passes, on_passes, done)
        return SegmentExplanation(
            segment_id=segment_id,
            profile=p.name,
            state=status.state,
            trimmed_length_m=round(s.trimmed, 1),
            buffer_m=round(s.r, 1),
            coverage_pct=round(100 * s.area_fraction, 1),
            passes=passes,
            sweeping_passes=on_passes,
            sweeping_passes_by_side=by_side,
            sides_needed=s.rules.sides_needed if p.curb_sides else 1,
            sides_done=done,
            sweep_speed_kmh=None
            if math.isinf(s.on_min)
            else (round(s.on_min, 1), round(s.on_max, 1)),
            max_speed_kmh=round(s.max_seen, 1) if s.len_in else None,
            source=source,
            reason=reason,
            swept_at=status.swept_at,
            operator=s.operator,
        )

    def _why_not(self, s: SegmentTrack, passes: int, on_passes: int, done: tuple[str, ...]) -> str:
        p = self.profile
        if s.operator is not None:
            return f"operator: {s.operator.get('reason')}"
        if s.rules.excluded:
            return "excluded (provincial road)"
        if not s.usable:
            return f"shorter than the {2 * p.end_trim_m:.0f} m end trim"
        if not s.len_in and not s.cells:
            return "not driven"
        if p.curb_sides:
            missing = [side for side in ("right", "left") if side not in done]
            if s.len_on == 0:
                return "driven, but never at sweeping speed" + (
                    "" if s.max_seen <= p.max_speed_kmh else " (transit)"
                )
            if s.rules.sides_needed == 2 and done:
                return f"one curb swept; the {missing[0]} curb (drive it the other way) is not"
            return "not enough of its length swept in one direction"
        if s.area_fraction <= p.min_area_fraction:
            return (
                f"only {100 * s.area_fraction:.0f} % of its buffer is within "
                f"{p.track_buffer_m:.0f} m of the track (needs > "
                f"{100 * p.min_area_fraction:.0f} %)"
            )
        if on_passes < 1:
            if passes >= 1:
                return "driven, but not at sweeping speed (2–12 km/h)"
            return "less than half its length driven at sweeping speed"
        return "not swept"

    # -- operator facts -----------------------------------------------------------------------

    def confirm(self, segment_id: str, at: datetime, note: str = "") -> dict[str, Any]:
        """The operator says it is swept; returns the fact's payload for the outbox."""
        s = self._segs[segment_id]
        s.operator = {"swept": True, "reason": None, "note": note, "at": at.isoformat()}
        if s.swept_at is None:
            s.swept_at = at
        self._dirty.add(segment_id)
        return confirmation_fact(self.explain(segment_id), at, note)

    def mark_not_swept(
        self, segment_id: str, reason: NotSweptReason, at: datetime, note: str = ""
    ) -> dict[str, Any]:
        """The operator says it is not swept, and why; returns the fact's payload."""
        s = self._segs[segment_id]
        s.operator = {"swept": False, "reason": str(reason), "note": note, "at": at.isoformat()}
        self._dirty.add(segment_id)
        return override_fact(self.explain(segment_id), reason, at, note)

    # -- persistence (the skeleton's contract) -----------------------------------------------

    def take_dirty(self) -> dict[str, tuple[bytes, datetime | None]]:
        out = {sid: (self._segs[sid].dump(), self._segs[sid].swept_at) for sid in self._dirty}
        self._dirty.clear()
        return out

    def restore(self, segment_id: str, blob: bytes, swept_at: datetime | None) -> None:
        """Reload saved state; blobs of another format (the skeleton's bitmaps) are ignored."""
        s = self._segs.get(segment_id)
        if s is None or not s.load(blob):
            return
        s.swept_at = swept_at
