"""Live coverage, fix by fix, with no network: which segments of the route are swept.

This is the walking skeleton's rule (issue 2): a segment is swept once the vehicle has
travelled along at least 80 % of its length within 15 m of it at 2–12 km/h. Each
segment keeps a 1 m bitmap of the stretches driven at sweeping speed, so overlapping
passes never count twice and the state can be saved and restored exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from client.geo import LocalProjection, haversine_m, project_onto_polyline
from client.models import Fix, Progress, Route, SegmentState, SegmentStatus

SWEPT_FRACTION = 0.80
MAX_OFFSET_M = 15.0
MIN_SWEEP_SPEED_MPS = 2 / 3.6
MAX_SWEEP_SPEED_MPS = 12 / 3.6
MAX_GAP_S = 30.0
_CELL_M = 50.0


@dataclass(frozen=True, slots=True)
class CoverageUpdate:
    changed: frozenset[str]
    newly_swept: frozenset[str]


class _SegmentTrack:
    __slots__ = ("bins", "covered", "cum", "id", "length_m", "swept_at", "xs", "ys")

    def __init__(self, segment_id: str, xs: list[float], ys: list[float]) -> None:
        self.id = segment_id
        self.xs, self.ys = xs, ys
        cum = [0.0]
        for i in range(len(xs) - 1):
            cum.append(cum[-1] + math.hypot(xs[i + 1] - xs[i], ys[i + 1] - ys[i]))
        self.cum = cum
        self.length_m = cum[-1]
        self.bins = bytearray(max(1, math.ceil(self.length_m)))
        self.covered = 0
        self.swept_at: datetime | None = None

    def mark(self, a: float, b: float) -> int:
        lo, hi = sorted((a, b))
        first = max(0, int(lo))
        last = min(len(self.bins), math.ceil(hi))
        added = 0
        for i in range(first, last):
            if not self.bins[i]:
                self.bins[i] = 1
                added += 1
        self.covered += added
        return added

    @property
    def fraction(self) -> float:
        return min(1.0, self.covered / len(self.bins))


class CoverageTracker:
    def __init__(self, route: Route) -> None:
        self.route = route
        coords = [c for s in route.segments for c in s.coords]
        self._proj = LocalProjection.around(coords) if coords else LocalProjection(0.0, 0.0)
        self._tracks: dict[str, _SegmentTrack] = {}
        self._grid: dict[tuple[int, int], list[_SegmentTrack]] = {}
        self._lengths = {s.id: s.length_m for s in route.segments}
        for seg in route.segments:
            xy = [self._proj.to_xy(lon, lat) for lon, lat in seg.coords]
            track = _SegmentTrack(seg.id, [p[0] for p in xy], [p[1] for p in xy])
            self._tracks[seg.id] = track
            self._index(track)
        self._last: Fix | None = None
        self._dirty: set[str] = set()

    def _index(self, track: _SegmentTrack) -> None:
        pad = MAX_OFFSET_M
        x0, x1 = min(track.xs) - pad, max(track.xs) + pad
        y0, y1 = min(track.ys) - pad, max(track.ys) + pad
        for cx in range(int(x0 // _CELL_M), int(x1 // _CELL_M) + 1):
            for cy in range(int(y0 // _CELL_M), int(y1 // _CELL_M) + 1):
                self._grid.setdefault((cx, cy), []).append(track)

    def restore(self, segment_id: str, bins: bytes, swept_at: datetime | None) -> None:
        track = self._tracks.get(segment_id)
        if track is None or len(bins) != len(track.bins):
            return
        track.bins[:] = bins
        track.covered = sum(1 for b in bins if b)
        track.swept_at = swept_at

    def add_fix(self, fix: Fix) -> CoverageUpdate:
        prev, self._last = self._last, fix
        if prev is None:
            return CoverageUpdate(frozenset(), frozenset())
        dt = (fix.t - prev.t).total_seconds()
        if dt <= 0 or dt > MAX_GAP_S:
            return CoverageUpdate(frozenset(), frozenset())
        # A receiver's Doppler speed is far steadier than position differences, which
        # GPS noise dominates at walking pace; fall back to those only when it is absent.
        speed = fix.speed_mps
        if speed is None:
            speed = haversine_m(prev.lon, prev.lat, fix.lon, fix.lat) / dt
        if not MIN_SWEEP_SPEED_MPS <= speed <= MAX_SWEEP_SPEED_MPS:
            return CoverageUpdate(frozenset(), frozenset())
        px, py = self._proj.to_xy(prev.lon, prev.lat)
        qx, qy = self._proj.to_xy(fix.lon, fix.lat)
        candidates: dict[str, _SegmentTrack] = {}
        for x, y in ((px, py), (qx, qy)):
            for track in self._grid.get((int(x // _CELL_M), int(y // _CELL_M)), ()):
                candidates[track.id] = track
        changed: set[str] = set()
        swept: set[str] = set()
        for track in candidates.values():
            dp, ap = project_onto_polyline(px, py, track.xs, track.ys, track.cum)
            if dp > MAX_OFFSET_M:
                continue
            dq, aq = project_onto_polyline(qx, qy, track.xs, track.ys, track.cum)
            if dq > MAX_OFFSET_M or not track.mark(ap, aq):
                continue
            changed.add(track.id)
            self._dirty.add(track.id)
            if track.swept_at is None and track.fraction >= SWEPT_FRACTION:
                track.swept_at = fix.t
                swept.add(track.id)
        return CoverageUpdate(frozenset(changed), frozenset(swept))

    def status(self, segment_id: str) -> SegmentStatus:
        track = self._tracks[segment_id]
        if track.swept_at is not None:
            state = SegmentState.SWEPT
        elif track.covered:
            state = SegmentState.IN_PROGRESS
        else:
            state = SegmentState.NOT_STARTED
        return SegmentStatus(segment_id, state, track.fraction, track.swept_at)

    def statuses(self) -> dict[str, SegmentStatus]:
        return {sid: self.status(sid) for sid in self._tracks}

    def swept_ids(self) -> set[str]:
        return {sid for sid, t in self._tracks.items() if t.swept_at is not None}

    def progress(self) -> Progress:
        swept = self.swept_ids()
        return Progress(
            total_m=sum(self._lengths.values()),
            swept_m=sum(self._lengths[s] for s in swept),
            segments_total=len(self._tracks),
            segments_swept=len(swept),
        )

    def take_dirty(self) -> dict[str, tuple[bytes, datetime | None]]:
        """Segments whose bitmap changed since the last call, for saving."""
        out = {
            sid: (bytes(self._tracks[sid].bins), self._tracks[sid].swept_at) for sid in self._dirty
        }
        self._dirty.clear()
        return out
