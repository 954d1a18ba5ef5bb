"""The coverage engine: the city's rule, live, fix by fix, by curb side.

Two profiles share one incremental computation (coverage/profiles.py):

- `KITCHENER_2023` is the City's published rule (COVERAGE.md): segments trimmed 10 m
  at each end and buffered `LANES × 3.3 + 6` m with flat caps; passes = track length
  inside the buffer / trimmed length, rounded (half up); a segment counts only when
  more than 36 % of its buffer area lies within 10 m of the track; swept when it counts
  and has a sweeping pass. A sweeping pass is counted, as issue 18 requires of every
  profile, from the distinct stretch travelled along the street at sweeping speed in
  one direction (at least half the trimmed length), not from accumulated track length.
- `SWEEPLINE` adds curb sides: a pass brushes the right-hand curb, so travelling with
  the segment's digitised direction sweeps its right side and against it its left; a
  side is done when its travelled extent reaches 80 % of the trimmed length; a two-way
  street needs both sides (one suffices for one-way and narrow streets); the broom-down
  signal, when present, can only withhold ("sensed"), never add coverage the speed test
  refuses; progress is in curb metres.

Both run the same safeguards (coverage/activity.py): fixes worse than the accuracy
bound are dropped, a gap is bridged only within the source's bounds, and the vehicle
sweeps only while displacing at sweeping speed over a window of several seconds. Each
piece of trusted track is clipped exactly against the buffer of each nearby segment
(union of edge rectangles and round joins, as a flat-cap buffer is) for the City's
passes; when sweeping, against the narrower street band, and the clipped stretch is
projected onto the trimmed line to grow that direction's extent; its 10 m buffer marks
cells of a per-segment raster in along/across coordinates (1 m × 0.5 m) from which the
covered area fraction is read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coverage.activity import Activity, Piece, TrackFollower, fix_accuracy
from coverage.explain import (
    NotSweptReason,
    SegmentExplanation,
    confirmation_fact,
    explain_track,
    override_fact,
)
from coverage.geo import LocalProjection, project_onto_polyline
from coverage.model import Fix, Progress, Route, SegmentState, SegmentStatus
from coverage.profiles import (
    DEFAULT_PROFILE,
    PROFILES,
    SOURCE_BOUNDS,
    CoverageProfile,
    FixSource,
    SegmentRules,
)
from coverage.track import SegmentTrack, along_intervals, clip_length, mark_cells

_CELL_M = 64.0


@dataclass(frozen=True, slots=True)
class CoverageUpdate:
    changed: frozenset[str]
    newly_swept: frozenset[str]


_NOTHING = CoverageUpdate(frozenset(), frozenset())


class CoverageEngine:
    """Fixes in, segment statuses out, live; state saved and restored per segment."""

    def __init__(
        self,
        route: Route,
        profile: CoverageProfile | str = DEFAULT_PROFILE,
        *,
        source: FixSource = FixSource.RECEIVER,
        rules: Mapping[str, SegmentRules] | None = None,
        projection: LocalProjection | None = None,
    ) -> None:
        self.route = route
        self.profile = PROFILES[profile] if isinstance(profile, str) else profile
        self.source = source
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
        self._follower = TrackFollower(self.profile, SOURCE_BOUNDS[source])
        self._broom: bool | None = None
        self._dirty: set[str] = set()
        self.pieces = 0

    # -- input ----------------------------------------------------------------------------

    def set_broom(self, down: bool | None) -> None:
        """The broom-down signal (vehicle input or operator toggle); None: not available."""
        self._broom = down

    def break_track(self) -> None:
        """The next fix starts a new track (the fix filter saw a gap or re-anchored)."""
        self._follower.break_track()

    def add_fix(self, fix: Fix, *, new_track: bool = False) -> CoverageUpdate:
        if new_track:
            self.break_track()
        x, y = self._proj.to_xy(fix.lon, fix.lat)
        if fix_accuracy(fix, self.profile) > self.profile.max_accuracy_m:
            self._note_inaccurate(x, y)
            return _NOTHING
        piece = self._follower.step(fix.t.timestamp(), x, y)
        if piece is None:
            return _NOTHING
        activity, sensed = piece.activity, False
        if self._broom is not None and self.profile.curb_sides:
            # the broom can confirm a sweep, or refuse one; it never makes standing
            # or transit count
            sensed = self._broom and activity is Activity.ON
            if not self._broom and activity is Activity.ON:
                activity = Activity.OFF
        return self._piece(piece, activity, sensed, fix.t)

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

    def _note_inaccurate(self, x: float, y: float) -> None:
        """Count a dropped fix against the segments whose buffer it fell in (explanations)."""
        for s in self._candidates(x, y, x, y):
            d, _ = project_onto_polyline(x, y, s.xs, s.ys, s.cum)
            if d <= s.r:
                s.inaccurate += 1
                self._dirty.add(s.id)

    def _piece(self, piece: Piece, activity: Activity, sensed: bool, t: datetime) -> CoverageUpdate:
        self.pieces += 1
        changed: set[str] = set()
        swept: set[str] = set()
        px, py, qx, qy = piece.px, piece.py, piece.qx, piece.qy
        dx, dy = qx - px, qy - py
        plen = math.hypot(dx, dy)
        profile = self.profile
        on = activity is Activity.ON
        for s in self._candidates(px, py, qx, qy):
            touched = False
            inside = clip_length(s, px, py, dx, dy) if plen > 0 else 0.0
            if inside > 0:
                touched = True
                s.len_in += inside * plen
                if piece.window_mps is not None:
                    s.max_seen = max(s.max_seen, piece.window_mps * 3.6)
                if on:
                    self._travel(s, piece, sensed)
                elif activity is Activity.OFF:
                    s.still_s += piece.dt_s * inside
            if mark_cells(s, px, py, qx, qy, plen, profile.track_buffer_m):
                touched = True
            if touched:
                changed.add(s.id)
                self._dirty.add(s.id)
                # the rule's verdict can only change when its numbers do, and only from
                # "no" to "yes"; an operator's word stands either way
                if not s.rule_done and s.rule_swept(profile) and s.operator is None:
                    s.swept_at = t
                    swept.add(s.id)
        return CoverageUpdate(frozenset(changed), frozenset(swept))

    @staticmethod
    def _travel(s: SegmentTrack, piece: Piece, sensed: bool) -> None:
        """A sweeping piece inside the buffer: grow the extent of each direction it took."""
        dx, dy = piece.qx - piece.px, piece.qy - piece.py
        grew = False
        for a, b in along_intervals(s, piece.px, piece.py, dx, dy):
            grew |= s.extent[0 if b > a else 1].add(a, b)
        if not grew:
            return
        kmh = (piece.window_mps or 0.0) * 3.6
        s.on_min = min(s.on_min, kmh)
        s.on_max = max(s.on_max, kmh)
        if sensed:
            s.sensed = True
        else:
            s.inferred = True

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
        """(passes, sweeping passes): the City's count of all track inside the buffer, and
        the distinct passes travelled along it at sweeping speed (one per direction)."""
        s = self._segs[segment_id]
        return s.passes(s.len_in), sum(s.sweeping_passes_by_side())

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
        status = self.status(segment_id)
        return explain_track(s, self.profile, status.state, status.swept_at)

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
        """Reload saved state; blobs of another format or profile are ignored."""
        s = self._segs.get(segment_id)
        if s is None or not s.load(blob):
            return
        s.swept_at = swept_at
