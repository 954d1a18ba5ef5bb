"""Along-street extent and the exact clipping of a straight piece against a flat-cap buffer.

COVERAGE.md: "coverage is the stretch of street travelled, not the length of track
accumulated". What a segment keeps, per direction of travel, is the union of the
intervals of its trimmed line that sweeping pieces were projected onto while inside
its street band; going back and forth over 20 m of a 150 m street leaves 20 m in each
direction however long it lasts, and a multipath jump or jitter adds at most the
stretch it actually spans.

The clip is the union of the buffer's edge rectangles and its round joins at interior
vertices (a flat-cap buffer is exactly that); it returns the parameter spans (0 to 1
along the piece) that lie inside.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence


class Extent:
    """A union of disjoint closed intervals along a line, with its total length."""

    __slots__ = ("ends", "starts", "total")

    def __init__(self, intervals: Iterable[tuple[float, float]] = ()) -> None:
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.total = 0.0
        for a, b in intervals:
            self.add(a, b)

    def add(self, a: float, b: float) -> bool:
        """Add [a, b] (either order); True when the union grew."""
        if b < a:
            a, b = b, a
        if b - a <= 0:
            return False
        starts, ends = self.starts, self.ends
        i = bisect.bisect_left(ends, a)  # first interval that ends at or after a
        j = bisect.bisect_right(starts, b)  # intervals i..j-1 overlap or touch [a, b]
        if i < j:
            a = min(a, starts[i])
            b = max(b, ends[j - 1])
            before = sum(ends[k] - starts[k] for k in range(i, j))
            if b - a <= before:
                return False
            del starts[i:j]
            del ends[i:j]
        else:
            before = 0.0
        starts.insert(i, a)
        ends.insert(i, b)
        self.total += (b - a) - before
        return True

    def intervals(self) -> list[tuple[float, float]]:
        return list(zip(self.starts, self.ends, strict=True))

    def __len__(self) -> int:
        return len(self.starts)


def clip_spans(
    xs: Sequence[float],
    ys: Sequence[float],
    ux: Sequence[float],
    uy: Sequence[float],
    cum: Sequence[float],
    r: float,
    px: float,
    py: float,
    dx: float,
    dy: float,
) -> list[tuple[float, float]]:
    """Parameter spans of the piece p + s·d (0 ≤ s ≤ 1) inside the polyline's flat-cap
    buffer of radius r, merged and sorted."""
    r2 = r * r
    spans: list[tuple[float, float]] = []
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
            if t1 > lo:
                lo = t1
            if t2 < hi:
                hi = t2
        b0, db = -rx * ey + ry * ex, -dx * ey + dy * ex
        if db == 0:
            if b0 < -r or b0 > r:
                continue
        else:
            t1, t2 = (-r - b0) / db, (r - b0) / db
            if t1 > t2:
                t1, t2 = t2, t1
            if t1 > lo:
                lo = t1
            if t2 < hi:
                hi = t2
        if lo < hi:
            spans.append((lo, hi))
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
    if len(spans) < 2:
        return spans
    spans.sort()
    merged = [spans[0]]
    for lo, hi in spans[1:]:
        cur_lo, cur_hi = merged[-1]
        if lo > cur_hi:
            merged.append((lo, hi))
        elif hi > cur_hi:
            merged[-1] = (cur_lo, hi)
    return merged
