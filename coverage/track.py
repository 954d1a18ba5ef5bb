"""The geometry kernel: one segment's trimmed line, its flat-cap buffer, street band and
raster, what the track has done to it (length inside, distinct extent travelled per
direction, the area covered) and its saved form; the clipping of a piece of track and
the marking of covered cells.

Kept apart from the engine so the rule's arithmetic can be read, tested and changed in
one place; the engine only decides which segments a piece of track is near."""

from __future__ import annotations

import itertools
import json
import math
import zlib
from datetime import datetime
from typing import Any

from coverage.extent import Extent, clip_spans
from coverage.geo import project_onto_polyline
from coverage.model import Segment
from coverage.profiles import CoverageProfile, SegmentRules

_COL_M = 1.0
_ROW_M = 0.5
_BEND_MARGIN_M = 2.0
# 2: distinct extents per direction replaced accumulated "on" lengths (issue 18); a
# saved state of version 1 cannot be converted and is ignored.
_STATE_VERSION = 2
SIDES = ("right", "left")  # with the digitised direction (right curb), against it


class SegmentTrack:
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
        self.profile = profile
        self.profile_name = profile.name
        self.r = max(seg.lanes, 1) * profile.lane_width_m + profile.buffer_extra_m
        self.band = profile.band_m(seg.lanes)
        full = [0.0]
        for (ax, ay), (bx, by) in itertools.pairwise(xy):
            full.append(full[-1] + math.hypot(bx - ax, by - ay))
        total = full[-1]
        trim = profile.end_trim_m
        if profile.max_trim_share is not None:
            trim = min(trim, profile.max_trim_share * total)
        pts: list[tuple[float, float]] = []
        if total - 2 * trim > 0:
            for pt in substring(xy, full, trim, total - trim):
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
        # (x, y, distance, along) of the last point mark_cells projected: the next piece
        # of a continuous track starts there (a cache, not state)
        self.last_projection: tuple[float, float, float, float] | None = None
        # state
        self.cols: list[int] = [0] * self.ncols
        self.cells = 0
        self.len_in = 0.0  # all trusted track inside the City's buffer (its passes)
        self.extent = (Extent(), Extent())  # travelled at sweeping speed, per SIDES
        self.on_min = math.inf  # window speeds (km/h) while sweeping in the band
        self.on_max = 0.0
        self.max_seen = 0.0  # fastest window speed (km/h) seen in the buffer
        self.still_s = 0.0  # time in the buffer standing or creeping
        self.inaccurate = 0  # fixes near it dropped for their reported accuracy
        self.sensed = False
        self.inferred = False
        self.swept_at: datetime | None = None
        self.operator: dict[str, Any] | None = None
        self.rule_done = False

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

    def extent_share(self, side: int) -> float:
        return self.extent[side].total / self.trimmed if self.trimmed > 0 else 0.0

    def sweeping_passes_by_side(self) -> tuple[int, int]:
        """Distinct passes: each direction counts once, for the stretch it travelled."""
        return (self.passes(self.extent[0].total), self.passes(self.extent[1].total))

    def sides_done(self, profile: CoverageProfile) -> tuple[str, ...]:
        need = profile.side_done_fraction * self.trimmed
        return tuple(n for n, e in zip(SIDES, self.extent, strict=True) if e.total >= need)

    def rule_swept(self, profile: CoverageProfile) -> bool:
        """The rule's verdict, remembered once true: every number it reads only grows."""
        if self.rule_done:
            return True
        self.rule_done = self._rule_test(profile)
        return self.rule_done

    def _rule_test(self, profile: CoverageProfile) -> bool:
        if not self.usable or self.area_fraction <= profile.min_area_fraction:
            return False
        if profile.curb_sides:
            return len(self.sides_done(profile)) >= self.rules.sides_needed
        return sum(self.sweeping_passes_by_side()) >= 1

    def swept(self, profile: CoverageProfile) -> bool:
        if self.operator is not None:
            return bool(self.operator["swept"])
        return self.rule_swept(profile)

    def curb_fraction(self, profile: CoverageProfile) -> float:
        if not self.usable or self.trimmed <= 0:
            return 0.0
        need = profile.side_done_fraction * self.trimmed
        shares = sorted((min(1.0, e.total / need) for e in self.extent), reverse=True)
        return sum(shares[: self.rules.sides_needed]) / self.rules.sides_needed

    # -- persistence -------------------------------------------------------------------

    def dump(self) -> bytes:
        nbytes = (self.nrows + 7) // 8
        raster = b"".join(c.to_bytes(nbytes, "little") for c in self.cols)
        meta = {
            "v": _STATE_VERSION,
            "profile": self.profile_name,
            "in": self.len_in,
            "extent": [e.intervals() for e in self.extent],
            "min": None if math.isinf(self.on_min) else self.on_min,
            "max": self.on_max,
            "seen": self.max_seen,
            "still": self.still_s,
            "inaccurate": self.inaccurate,
            "sensed": self.sensed,
            "inferred": self.inferred,
            "op": self.operator,
            "n": self.ncols,
            "rows": self.nrows,
        }
        head = json.dumps(meta, separators=(",", ":")).encode()
        return zlib.compress(len(head).to_bytes(4, "little") + head + raster)

    def load(self, blob: bytes) -> bool:
        """Restore a saved state; False (and nothing changed) for another format, another
        profile (its extents were measured on another trimmed line) or other dimensions."""
        try:
            raw = zlib.decompress(blob)
            n = int.from_bytes(raw[:4], "little")
            meta = json.loads(raw[4 : 4 + n])
        except (zlib.error, ValueError, IndexError):
            return False
        if not isinstance(meta, dict) or meta.get("v") != _STATE_VERSION:
            return False
        if meta.get("profile") != self.profile_name:
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
        self.len_in = float(meta["in"])
        right, left = meta["extent"]
        self.extent = (
            Extent((float(a), float(b)) for a, b in right),
            Extent((float(a), float(b)) for a, b in left),
        )
        self.on_min = math.inf if meta["min"] is None else float(meta["min"])
        self.on_max, self.max_seen = float(meta["max"]), float(meta["seen"])
        self.still_s, self.inaccurate = float(meta["still"]), int(meta["inaccurate"])
        self.sensed, self.inferred = bool(meta["sensed"]), bool(meta["inferred"])
        self.operator = meta["op"]
        self.rule_done = self._rule_test(self.profile)
        return True


def substring(
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


def clip_length(s: SegmentTrack, px: float, py: float, dx: float, dy: float) -> float:
    """Share (0 to 1) of the piece inside the segment's flat-cap buffer (the City's)."""
    return sum(hi - lo for lo, hi in clip_spans(s.xs, s.ys, s.ux, s.uy, s.cum, s.r, px, py, dx, dy))


def along_intervals(
    s: SegmentTrack, px: float, py: float, dx: float, dy: float
) -> list[tuple[float, float]]:
    """The stretches of the trimmed line a piece travels along inside the street band, as
    (from, to) distances along it: to > from when it goes with the digitised direction."""
    out = []
    for lo, hi in clip_spans(s.xs, s.ys, s.ux, s.uy, s.cum, s.band, px, py, dx, dy):
        _, a = project_onto_polyline(px + lo * dx, py + lo * dy, s.xs, s.ys, s.cum)
        _, b = project_onto_polyline(px + hi * dx, py + hi * dy, s.xs, s.ys, s.cum)
        if a != b:
            out.append((a, b))
    return out


def mark_cells(
    s: SegmentTrack, px: float, py: float, qx: float, qy: float, plen: float, rad: float
) -> bool:
    """Mark the raster cells within `rad` of the piece; True when any was new."""
    # When the previous piece marked here ended where this one starts, the disc around
    # p is marked already (or lies outside the raster): only the rest can add cells.
    last = s.last_projection
    p_done = last is not None and last[0] == px and last[1] == py
    if last is not None and p_done:
        dp, ap = last[2], last[3]
    else:
        dp, ap = project_onto_polyline(px, py, s.xs, s.ys, s.cum)
    if p_done and plen == 0:
        return False
    dq, aq = project_onto_polyline(qx, qy, s.xs, s.ys, s.cum)
    s.last_projection = (qx, qy, dq, aq)
    r = s.r
    # every point of the piece is within plen/2 of one of its ends
    if (dp if dp < dq else dq) - plen / 2 > r + rad:
        return False
    a0, a1 = (ap, aq) if ap <= aq else (aq, ap)
    frames = s.frames()
    moving = plen > 0
    vx = (qx - px) / plen if moving else 0.0
    vy = (qy - py) / plen if moving else 0.0
    lo_a, hi_a = a0 - rad, a1 + rad
    if p_done:
        # only the rectangle and the disc around q can add cells: the disc spans
        # aq ± rad along the street, the rectangle the piece's own span widened by
        # rad × |sin| of its angle to the street (exact on a straight edge; the margin
        # covers the fan of columns at a bend)
        _, _, nx0, ny0 = frames[min(s.ncols - 1, max(0, int(ap / _COL_M)))]
        wide = rad * abs(vx * nx0 + vy * ny0)
        lo_a = max(lo_a, min(aq - rad, a0 - wide) - _BEND_MARGIN_M)
        hi_a = min(hi_a, max(aq + rad, a1 + wide) + _BEND_MARGIN_M)
    c0 = max(0, int(lo_a / _COL_M))
    c1 = min(s.ncols - 1, int(hi_a / _COL_M))
    if c0 > c1:
        return False
    cols = s.cols
    nrows, full = s.nrows, s.full_row
    rad2 = rad * rad
    sqrt, inf, ceil, floor = math.sqrt, math.inf, math.ceil, math.floor
    added = 0
    for c in range(c0, c1 + 1):
        col = cols[c]
        if col == full:
            continue
        cx, cy, nx, ny = frames[c]
        lo, hi = inf, -inf
        rx, ry = cx - px, cy - py
        if not p_done:
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
        j0 = ceil((lo + r) / _ROW_M - 0.5)
        j1 = floor((hi + r) / _ROW_M - 0.5)
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
