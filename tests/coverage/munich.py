"""The Munich drive (GENIVI log-replayer, a car in Munich on 2009-04-01, 1 Hz NMEA; MPL-2.0,
copied unchanged into tests/data/nmea with its licence) as a real-error test track.

The shared data has no Munich road layer, so the street segments are cut from the drive
itself: its accurate fixes smoothed over ±3 s (standing epochs left out), resampled every
5 m and cut into 120 m pieces; beside each piece, 20 m to the left and to the right, runs
a parallel street the car never drove. Agreement with the oracle then measures the two
implementations on real receiver error (HDOP 1–5, stops at traffic lights, drift), and
the parallels test "near is not on" with that error."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

from shapely.geometry import LineString

from client.nmea import parse_lines
from coverage.geo import LocalProjection, line_length_m
from coverage.model import Fix, Route, Segment

MUNICH = (
    Path(__file__).resolve().parent.parent / "data" / "nmea" / "genivi_munich-gps_2009-04-01.nmea"
)
PIECE_M = 120.0
PARALLEL_M = 20.0


def munich_fixes(slowdown: float = 1.0) -> list[Fix]:
    """The drive's fixes as recorded; `slowdown` stretches its time (3: a third of the
    speed, so much of it falls into the sweeping band) and keeps every position."""
    fixes = [r.fix for r in parse_lines(MUNICH.read_bytes().splitlines())]
    t0 = fixes[0].t
    return [Fix(t0 + (f.t - t0) * slowdown, f.lat, f.lon, accuracy_m=f.accuracy_m) for f in fixes]


def munich_network(fixes: list[Fix]) -> tuple[Route, LocalProjection]:
    proj = LocalProjection.around([(f.lon, f.lat) for f in fixes])
    xy = [proj.to_xy(f.lon, f.lat) for f in fixes if (f.accuracy_m or 0) <= 25]
    moving = [p for p, q in itertools.pairwise(xy) if math.dist(p, q) > 0.5]
    smooth = []
    for i in range(3, len(moving) - 3):
        window = moving[i - 3 : i + 4]
        smooth.append((sum(p[0] for p in window) / 7, sum(p[1] for p in window) / 7))
    path = [smooth[0]]
    for p in smooth[1:]:
        if math.dist(path[-1], p) >= 5.0:
            path.append(p)
    pieces: list[list[tuple[float, float]]] = []
    start, run = 0, 0.0
    for i in range(1, len(path)):
        run += math.dist(path[i - 1], path[i])
        if run >= PIECE_M or i == len(path) - 1:
            piece = path[start : i + 1]
            pieces.append(piece)
            start, run = i, 0.0
    driven = LineString(path)
    segments: list[Segment] = []
    for n, piece in enumerate(pieces):
        for side, offset in (("", 0.0), ("-left", PARALLEL_M), ("-right", -PARALLEL_M)):
            line = _offset(piece, offset)
            # a parallel that the drive itself reaches elsewhere (at a turn, on a loop)
            # is a street it drove, not one beside it
            if offset and LineString(line).distance(driven) < PARALLEL_M - 5:
                continue
            coords = tuple(proj.to_lonlat(*p) for p in line)
            segments.append(Segment(f"m{n}{side}", "", line_length_m(coords), 2, False, coords))
    return Route("munich", "Munich drive", tuple(segments)), proj


def _offset(piece: list[tuple[float, float]], d: float) -> list[tuple[float, float]]:
    """The piece shifted `d` metres to its left (a parallel street)."""
    if d == 0:
        return piece
    out = []
    for i, (x, y) in enumerate(piece):
        a, b = piece[max(0, i - 1)], piece[min(len(piece) - 1, i + 1)]
        length = math.dist(a, b) or 1.0
        out.append((x - d * (b[1] - a[1]) / length, y + d * (b[0] - a[0]) / length))
    return out
