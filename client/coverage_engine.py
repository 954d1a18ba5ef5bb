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

import itertools
import json
import math
import statistics
import zlib
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from client.geo import LocalProjection, project_onto_polyline
from client.models import Fix, Progress, Route, Segment, SegmentState, SegmentStatus

_CELL_M = 64.0
_COL_M = 1.0
_ROW_M = 0.5
_STATE_VERSION = 1

CONFIRMED_EVENT = "segment_confirmed"
NOT_SWEPT_EVENT = "segment_not_swept"


class Activity(StrEnum):
    ON = "on"  # sweeping
    OFF = "off"  # stopped or crawling
    TRANSIT = "transit"  # faster than the sweeping band


class NotSweptReason(StrEnum):
    PARKED_CARS = "parked_cars"
    CONSTRUCTION = "construction"
    BLOCKED = "blocked"
    CLOSED = "closed"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class CoverageProfile:
    name: str
    min_speed_kmh: float = 2.0
    max_speed_kmh: float = 12.0
    end_trim_m: float = 10.0
    # Sweepline trims short segments by at most this share of their length at each end,
    # so a 15 m street can still be swept; the City's rule has no such limit.
    max_trim_share: float | None = None
    lane_width_m: float = 3.3
    buffer_extra_m: float = 6.0
    track_buffer_m: float = 10.0
    min_area_fraction: float = 0.36
    max_gap_s: float = 30.0
    curb_sides: bool = False
    side_done_fraction: float = 0.8  # curb sides: share of the trimmed length swept


KITCHENER_2023 = CoverageProfile(name="kitchener-2023")
SWEEPLINE = CoverageProfile(name="sweepline", max_trim_share=0.25, curb_sides=True)
PROFILES = {p.name: p for p in (KITCHENER_2023, SWEEPLINE)}


@dataclass(frozen=True, slots=True)
class SegmentRules:
    """What the route data says beyond the geometry."""

    excluded: bool = False  # e.g. OWNERSHIP = MTO: provincial roads are not ours to sweep
    sides_needed: int = 2  # 1: one pass covers the street (one-way, narrow)

    @staticmethod
    def for_segment(segment: Segment, ownership: str | None = None) -> SegmentRules:
        narrow = segment.lanes <= 1
        return SegmentRules(
            excluded=(ownership or "").upper() == "MTO",
            sides_needed=1 if segment.oneway or narrow else 2,
        )


@dataclass(frozen=True, slots=True)
class CoverageUpdate:
    changed: frozenset[str]
    newly_swept: frozenset[str]


@dataclass(frozen=True, slots=True)
class SegmentExplanation:
    """Why a segment is, or is not, swept: the rule's own numbers."""

    segment_id: str
    profile: str
    state: SegmentState
    trimmed_length_m: float
    buffer_m: float
    coverage_pct: float
    passes: int
    sweeping_passes: int
    sweeping_passes_by_side: dict[str, int]
    sides_needed: int
    sides_done: tuple[str, ...]
    sweep_speed_kmh: tuple[float, float] | None  # min, max while "on" in the buffer
    max_speed_kmh: float | None  # fastest piece seen in the buffer
    source: str | None  # "sensed", "inferred", "operator"
    reason: str | None  # why not swept; None when swept
    swept_at: datetime | None = None
    operator: dict[str, Any] | None = None

    def text(self) -> str:
        head = (
            f"{self.coverage_pct:.0f} % of the buffer covered, {self.passes} pass(es), "
            f"{self.sweeping_passes} sweeping"
        )
        if self.reason:
            return f"Not swept: {self.reason} ({head})."
        return f"Swept ({self.source}; {head})."


class _Seg:
    """One segment's trimmed geometry and everything the track has done to it."""

    def __init__(
        self,
        seg: Segment,
        xy: list[tuple[float, float]],
        profile: CoverageProfile,
        rules: SegmentRules,
    ) -> None:
        self.id = seg.id
        self.length_m = seg.length_m
        self.rules = rules
        self.r = max(seg.lanes, 1) * profile.lane_width_m + profile.buffer_extra_m
        full = [0.0]
        for (ax, ay), (bx, by) in itertools.pairwise(xy):
            full.append(full[-1] + math.hypot(bx - ax, by - ay))
        total = full[-1]
        trim = profile.end_trim_m
        if profile.max_trim_share is not None:
            trim = min(trim, profile.max_trim_share * total)
        pts: list[tuple[float, float]] = []
        if total - 2 * trim > 0:
            for pt in _substring(xy, full, trim, total - trim):
                if not pts or math.dist(pts[-1], pt) > 1e-9:
                    pts.append(pt)
        self.xs = [p[0] for p in pts]
        self.ys = [p[1] for p in pts]
        self.cum = [0.0]
        self.ux: list[float] = []
        self.uy: list[float] = []
        for i in range(len(pts) - 1):
            dx, dy = self.xs[i + 1] - self.xs[i], self.ys[i + 1] - self.ys[i]
            d = math.hypot(dx, dy)
            self.cum.append(self.cum[-1] + d)
            self.ux.append(dx / d if d else 0.0)
            self.uy.append(dy / d if d else 0.0)
        self.trimmed = self.cum[-1] if len(pts) >= 2 else 0.0
        self.usable = self.trimmed > 0 and not rules.excluded
        if self.usable:
            pad = self.r
            self.bbox = (
                min(self.xs) - pad,
                min(self.ys) - pad,
                max(self.xs) + pad,
                max(self.ys) + pad,
            )
        else:
            self.bbox = (0.0, 0.0, -1.0, -1.0)
        self.ncols = max(1, math.ceil(self.trimmed / _COL_M)) if self.usable else 0
        self.nrows = max(1, round(2 * self.r / _ROW_M))
        self.full_row = (1 << self.nrows) - 1
        self._frames: list[tuple[float, float, float, float]] | None = None
        # state
        self.cols: list[int] = [0] * self.ncols
        self.cells = 0
        self.len_in = 0.0
        self.len_on = 0.0
        self.len_on_side = [0.0, 0.0]  # right (with digitisation), left (against)
        self.on_min = math.inf
        self.on_max = 0.0
        self.max_seen = 0.0
        self.sensed = False
        self.inferred = False
        self.swept_at: datetime | None = None
        self.operator: dict[str, Any] | None = None

    def frames(self) -> list[tuple[float, float, float, float]]:
        """Per raster column: the centre point on the line and the left normal."""
        if self._frames is None:
            out = []
            k = 0
            for c in range(self.ncols):
                a = min((c + 0.5) * _COL_M, self.trimmed)
                while k < len(self.ux) - 1 and self.cum[k + 1] < a:
                    k += 1
                ux, uy = self.ux[k], self.uy[k]
                t = a - self.cum[k]
                out.append((self.xs[k] + ux * t, self.ys[k] + uy * t, -uy, ux))
            self._frames = out
        return self._frames

    # -- the rule's numbers ------------------------------------------------------------

    @property
    def area_fraction(self) -> float:
        return self.cells / (self.ncols * self.nrows) if self.usable else 0.0

    def passes(self, length: float) -> int:
        return math.floor(length / self.trimmed + 0.5) if self.trimmed > 0 else 0

    def sides_done(self, profile: CoverageProfile) -> tuple[str, ...]:
        need = profile.side_done_fraction * self.trimmed
        done = tuple(
            name for name, ln in zip(("right", "left"), self.len_on_side, strict=True) if ln >= need
        )
        return done

    def rule_swept(self, profile: CoverageProfile) -> bool:
        if not self.usable:
            return False
        if profile.curb_sides:
            return len(self.sides_done(profile)) >= self.rules.sides_needed
        return self.area_fraction > profile.min_area_fraction and self.passes(self.len_on) >= 1

    def swept(self, profile: CoverageProfile) -> bool:
        if self.operator is not None:
            return bool(self.operator["swept"])
        return self.rule_swept(profile)

    def curb_fraction(self, profile: CoverageProfile) -> float:
        if not self.usable or self.trimmed <= 0:
            return 0.0
        need = profile.side_done_fraction * self.trimmed
        shares = sorted((min(1.0, ln / need) for ln in self.len_on_side), reverse=True)
        return sum(shares[: self.rules.sides_needed]) / self.rules.sides_needed

    # -- persistence -------------------------------------------------------------------

    def dump(self) -> bytes:
        nbytes = (self.nrows + 7) // 8
        raster = b"".join(c.to_bytes(nbytes, "little") for c in self.cols)
        meta = {
            "v": _STATE_VERSION,
            "in": self.len_in,
            "on": self.len_on,
            "side": self.len_on_side,
            "min": None if math.isinf(self.on_min) else self.on_min,
            "max": self.on_max,
            "seen": self.max_seen,
            "sensed": self.sensed,
            "inferred": self.inferred,
            "op": self.operator,
            "n": self.ncols,
            "rows": self.nrows,
        }
        head = json.dumps(meta, separators=(",", ":")).encode()
        return zlib.compress(len(head).to_bytes(4, "little") + head + raster)

    def load(self, blob: bytes) -> bool:
        try:
            raw = zlib.decompress(blob)
            n = int.from_bytes(raw[:4], "little")
            meta = json.loads(raw[4 : 4 + n])
        except (zlib.error, ValueError, IndexError):
            return False
        if not isinstance(meta, dict) or meta.get("v") != _STATE_VERSION:
            return False
        if meta.get("n") != self.ncols or meta.get("rows") != self.nrows:
            return False
        nbytes = (self.nrows + 7) // 8
        raster = raw[4 + n :]
        if len(raster) != nbytes * self.ncols:
            return False
        self.cols = [
            int.from_bytes(raster[i * nbytes : (i + 1) * nbytes], "little")
            for i in range(self.ncols)
        ]
        self.cells = sum(c.bit_count() for c in self.cols)
        self.len_in, self.len_on = float(meta["in"]), float(meta["on"])
        self.len_on_side = [float(x) for x in meta["side"]]
        self.on_min = math.inf if meta["min"] is None else float(meta["min"])
        self.on_max, self.max_seen = float(meta["max"]), float(meta["seen"])
        self.sensed, self.inferred = bool(meta["sensed"]), bool(meta["inferred"])
        self.operator = meta["op"]
        return True


def _substring(
    xy: list[tuple[float, float]], cum: list[float], a: float, b: float
) -> list[tuple[float, float]]:
    """The part of a polyline between distances a and b along it."""

    def at(d: float) -> tuple[float, float]:
        for i in range(len(cum) - 1):
            if cum[i + 1] >= d:
                seg = cum[i + 1] - cum[i]
                t = (d - cum[i]) / seg if seg else 0.0
                return (
                    xy[i][0] + (xy[i + 1][0] - xy[i][0]) * t,
                    xy[i][1] + (xy[i + 1][1] - xy[i][1]) * t,
                )
        return xy[-1]

    inner = [p for p, d in zip(xy, cum, strict=True) if a < d < b]
    return [at(a), *inner, at(b)]


def classify(raw_mps: float, median_mps: float, profile: CoverageProfile) -> Activity:
    """The City's activity rule for one pair of fixes."""
    lo, hi = profile.min_speed_kmh / 3.6, profile.max_speed_kmh / 3.6
    if raw_mps == 0 or (raw_mps < lo and median_mps < lo):
        return Activity.OFF
    if raw_mps <= hi and median_mps <= hi:
        return Activity.ON
    return Activity.TRANSIT


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
        self._segs: dict[str, _Seg] = {}
        self._grid: dict[tuple[int, int], list[_Seg]] = {}
        for seg in route.segments:
            xy = [self._proj.to_xy(lon, lat) for lon, lat in seg.coords]
            s = _Seg(seg, xy, self.profile, rules.get(seg.id) or SegmentRules.for_segment(seg))
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

    def _candidates(self, px: float, py: float, qx: float, qy: float) -> list[_Seg]:
        pad = self.profile.track_buffer_m
        x0, x1 = (px, qx) if px <= qx else (qx, px)
        y0, y1 = (py, qy) if py <= qy else (qy, py)
        found: dict[str, _Seg] = {}
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
                inside, side = _clip_length(s, px, py, dx, dy)
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
            if _mark_cells(s, px, py, qx, qy, plen, profile.track_buffer_m):
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

    def _why_not(self, s: _Seg, passes: int, on_passes: int, done: tuple[str, ...]) -> str:
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


def _clip_length(s: _Seg, px: float, py: float, dx: float, dy: float) -> tuple[float, int]:
    """Share of the piece inside the segment's flat-cap buffer, and the side it sweeps."""
    r = s.r
    r2 = r * r
    spans: list[tuple[float, float]] = []
    best_len = -1.0
    side = 0
    xs, ys, ux, uy, cum = s.xs, s.ys, s.ux, s.uy, s.cum
    for k in range(len(ux)):
        ax, ay, ex, ey = xs[k], ys[k], ux[k], uy[k]
        rx, ry = px - ax, py - ay
        lo, hi = 0.0, 1.0
        a0, da = rx * ex + ry * ey, dx * ex + dy * ey
        elen = cum[k + 1] - cum[k]
        if da == 0:
            if a0 < 0 or a0 > elen:
                continue
        else:
            t1, t2 = -a0 / da, (elen - a0) / da
            if t1 > t2:
                t1, t2 = t2, t1
            lo, hi = max(lo, t1), min(hi, t2)
        b0, db = -rx * ey + ry * ex, -dx * ey + dy * ex
        if db == 0:
            if b0 < -r or b0 > r:
                continue
        else:
            t1, t2 = (-r - b0) / db, (r - b0) / db
            if t1 > t2:
                t1, t2 = t2, t1
            lo, hi = max(lo, t1), min(hi, t2)
        if lo < hi:
            spans.append((lo, hi))
            if hi - lo > best_len:
                best_len = hi - lo
                side = 0 if da >= 0 else 1
    # round joins at interior vertices
    dd = dx * dx + dy * dy
    for k in range(1, len(xs) - 1):
        rx, ry = px - xs[k], py - ys[k]
        b = rx * dx + ry * dy
        c = rx * rx + ry * ry - r2
        disc = b * b - dd * c
        if disc <= 0:
            continue
        sq = math.sqrt(disc)
        lo, hi = max(0.0, (-b - sq) / dd), min(1.0, (-b + sq) / dd)
        # only the wedge past the end of edge k-1 and before the start of edge k: the
        # rest of the disc is the edges' own business (and behind a flat cap, outside)
        for base, slope, sign in (
            (rx * ux[k - 1] + ry * uy[k - 1], dx * ux[k - 1] + dy * uy[k - 1], 1.0),
            (rx * ux[k] + ry * uy[k], dx * ux[k] + dy * uy[k], -1.0),
        ):
            base, slope = base * sign, slope * sign  # constraint: base + s * slope >= 0
            if slope == 0:
                if base < 0:
                    hi = -1.0
            elif slope > 0:
                lo = max(lo, -base / slope)
            else:
                hi = min(hi, -base / slope)
        if lo < hi:
            spans.append((lo, hi))
    if not spans:
        return 0.0, side
    spans.sort()
    total = 0.0
    cur_lo, cur_hi = spans[0]
    for lo, hi in spans[1:]:
        if lo > cur_hi:
            total += cur_hi - cur_lo
            cur_lo, cur_hi = lo, hi
        elif hi > cur_hi:
            cur_hi = hi
    total += cur_hi - cur_lo
    return total, side


def _mark_cells(
    s: _Seg, px: float, py: float, qx: float, qy: float, plen: float, rad: float
) -> bool:
    """Mark the raster cells within `rad` of the piece; True when any was new."""
    dp, ap = project_onto_polyline(px, py, s.xs, s.ys, s.cum)
    dq, aq = project_onto_polyline(qx, qy, s.xs, s.ys, s.cum)
    r = s.r
    # every point of the piece is within plen/2 of one of its ends
    if (dp if dp < dq else dq) - plen / 2 > r + rad:
        return False
    a0, a1 = (ap, aq) if ap <= aq else (aq, ap)
    c0 = max(0, int((a0 - rad) / _COL_M))
    c1 = min(s.ncols - 1, int((a1 + rad) / _COL_M))
    if c0 > c1:
        return False
    frames = s.frames()
    cols = s.cols
    nrows, full = s.nrows, s.full_row
    rad2 = rad * rad
    moving = plen > 0
    vx = (qx - px) / plen if moving else 0.0
    vy = (qy - py) / plen if moving else 0.0
    sqrt, inf = math.sqrt, math.inf
    added = 0
    for c in range(c0, c1 + 1):
        col = cols[c]
        if col == full:
            continue
        cx, cy, nx, ny = frames[c]
        lo, hi = inf, -inf
        rx, ry = cx - px, cy - py
        b = nx * rx + ny * ry
        disc = b * b - (rx * rx + ry * ry - rad2)
        if disc >= 0:  # the disc around p
            sq = sqrt(disc)
            lo, hi = -b - sq, -b + sq
        if moving:
            sx, sy = cx - qx, cy - qy
            b = nx * sx + ny * sy
            disc = b * b - (sx * sx + sy * sy - rad2)
            if disc >= 0:  # the disc around q
                sq = sqrt(disc)
                if -b - sq < lo:
                    lo = -b - sq
                if -b + sq > hi:
                    hi = -b + sq
            # the rectangle between them: 0 <= along <= plen, |across| <= rad
            v0, dv = rx * vx + ry * vy, nx * vx + ny * vy
            w0, dw = ry * vx - rx * vy, ny * vx - nx * vy
            if dv != 0 and dw != 0:
                t1, t2 = -v0 / dv, (plen - v0) / dv
                u1, u2 = (-rad - w0) / dw, (rad - w0) / dw
                slo = t1 if t1 < t2 else t2
                shi = t2 if t1 < t2 else t1
                ulo = u1 if u1 < u2 else u2
                uhi = u2 if u1 < u2 else u1
                if ulo > slo:
                    slo = ulo
                if uhi < shi:
                    shi = uhi
                if slo <= shi:
                    if slo < lo:
                        lo = slo
                    if shi > hi:
                        hi = shi
        if lo > hi:
            continue
        j0 = math.ceil((lo + r) / _ROW_M - 0.5)
        j1 = math.floor((hi + r) / _ROW_M - 0.5)
        if j0 < 0:
            j0 = 0
        if j1 >= nrows:
            j1 = nrows - 1
        if j0 > j1:
            continue
        new = (((1 << (j1 - j0 + 1)) - 1) << j0) & ~col
        if new:
            cols[c] = col | new
            added += new.bit_count()
    s.cells += added
    return added > 0


def _snapshot(e: SegmentExplanation) -> dict[str, Any]:
    return {
        "profile": e.profile,
        "coverage_pct": e.coverage_pct,
        "passes": e.passes,
        "sweeping_passes": e.sweeping_passes,
        "sweeping_passes_by_side": dict(e.sweeping_passes_by_side),
    }


def confirmation_fact(e: SegmentExplanation, at: datetime, note: str = "") -> dict[str, Any]:
    """Payload of a `segment_confirmed` event: the operator says this segment is swept."""
    return {
        "segment_id": e.segment_id,
        "confirmed_at": at.isoformat(),
        "note": note,
        "engine": _snapshot(e),
    }


def override_fact(
    e: SegmentExplanation, reason: NotSweptReason, at: datetime, note: str = ""
) -> dict[str, Any]:
    """Payload of a `segment_not_swept` event: not swept, because `reason`."""
    return {
        "segment_id": e.segment_id,
        "reason": str(reason),
        "marked_at": at.isoformat(),
        "note": note,
        "engine": _snapshot(e),
    }
