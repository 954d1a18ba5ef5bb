"""Where to go next: the nearest segment still to sweep, and which way it lies.

"Next" is the unswept segment nearest the vehicle (straight-line distance to the nearest
point of its line), leaving out the one under the vehicle (that one is "now"). Segments
about as near as each other (within `TIE_M`, e.g. two streets leaving the same corner) go
in route order, the order the planner gave them. The answer says the street, the curb
sides still to do, the distance and the compass bearing to the point to aim for, so the
screen can draw an arrow on the map and in the panel.

Qt-free and pure: the tablet's last fix and the statuses in, one `NextSegment` out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from coverage.geo import LocalProjection, project_onto_polyline
from coverage.model import Route

TIE_M = 15.0


@dataclass(frozen=True, slots=True)
class NextSegment:
    """The segment to drive to next."""

    segment_id: str
    street: str
    sides: tuple[str, ...]  # the curb sides still to sweep ("right", "left")
    distance_m: float
    bearing_deg: float  # from the vehicle to the nearest point of it, clockwise from north
    lon: float  # that nearest point
    lat: float


def next_segment(
    route: Route,
    to_sweep: Mapping[str, tuple[str, ...]],
    lon: float,
    lat: float,
    current: str | None = None,
) -> NextSegment | None:
    """The nearest segment of `route` in `to_sweep` (id -> curb sides still to do) other
    than `current`, seen from (`lon`, `lat`); None when nothing is left."""
    candidates = [s for s in route.segments if s.id in to_sweep and s.id != current]
    candidates = [s for s in candidates if len(s.coords) >= 2]
    if not candidates:
        return None
    proj = LocalProjection(lon, lat)
    found: list[tuple[float, int, float, float]] = []  # distance, route index, x, y
    for index, segment in enumerate(candidates):
        xs, ys = zip(*(proj.to_xy(c[0], c[1]) for c in segment.coords), strict=True)
        cum = [0.0]
        for i in range(len(xs) - 1):
            cum.append(cum[-1] + math.hypot(xs[i + 1] - xs[i], ys[i + 1] - ys[i]))
        distance, along = project_onto_polyline(0.0, 0.0, list(xs), list(ys), cum)
        x, y = _point_at(list(xs), list(ys), cum, along)
        found.append((distance, index, x, y))
    nearest = min(d for d, _i, _x, _y in found)
    distance, index, x, y = min((f for f in found if f[0] <= nearest + TIE_M), key=lambda f: f[1])
    segment = candidates[index]
    target_lon, target_lat = proj.to_lonlat(x, y)
    bearing = math.degrees(math.atan2(x, y)) % 360 if distance > 0 else 0.0
    return NextSegment(
        segment_id=segment.id,
        street=segment.street,
        sides=to_sweep[segment.id],
        distance_m=distance,
        bearing_deg=bearing,
        lon=target_lon,
        lat=target_lat,
    )


def _point_at(
    xs: list[float], ys: list[float], cum: list[float], along: float
) -> tuple[float, float]:
    """The point `along` metres down the polyline."""
    for i in range(len(xs) - 1):
        if along <= cum[i + 1] or i == len(xs) - 2:
            span = cum[i + 1] - cum[i]
            f = 0.0 if span <= 0 else min(1.0, max(0.0, (along - cum[i]) / span))
            return xs[i] + (xs[i + 1] - xs[i]) * f, ys[i] + (ys[i + 1] - ys[i]) * f
    return xs[0], ys[0]


def compass_point(bearing_deg: float) -> int:
    """0-7: N, NE, E, SE, S, SW, W, NW (the arrow to draw)."""
    return round((bearing_deg % 360) / 45) % 8
