"""The geometry kernel: one segment's trimmed line, its flat-cap buffer and raster, what
the track has done to it (lengths inside, "on", per curb side) and its saved form; the
exact clipping of a piece of track against the buffer and the marking of covered cells.

Kept apart from the engine so the rule's arithmetic can be read, tested and changed in
one place; the engine only decides which segments a piece of track is near."""

from __future__ import annotations

import itertools
import json
import math
import zlib
from datetime import datetime
from typing import Any

from coverage.geo import project_onto_polyline
from coverage.model import Segment
from coverage.profiles import CoverageProfile, SegmentRules

_COL_M = 1.0
_ROW_M = 0.5
_STATE_VERSION = 1


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


def clip_length(s: SegmentTrack, px: float, py: float, dx: float, dy: float) -> tuple[float, int]:
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


def mark_cells(
    s: SegmentTrack, px: float, py: float, qx: float, qy: float, plen: float, rad: float
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
