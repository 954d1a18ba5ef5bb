"""Small-area metric geometry for coverage and the simulator.

An equirectangular projection about the route's own latitude is accurate to far
better than 0.5 % over a city-sized area, costs a multiply per coordinate, and needs no
pyproj on the tablet.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def line_length_m(coords: Sequence[Sequence[float]]) -> float:
    return sum(haversine_m(a[0], a[1], b[0], b[1]) for a, b in itertools.pairwise(coords))


class LocalProjection:
    """Maps (lon, lat) to metres east/north of an origin, and back."""

    def __init__(self, origin_lon: float, origin_lat: float) -> None:
        self.origin_lon = origin_lon
        self.origin_lat = origin_lat
        self._kx = math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(origin_lat))
        self._ky = math.radians(1) * EARTH_RADIUS_M

    @classmethod
    def around(cls, coords: Sequence[Sequence[float]]) -> LocalProjection:
        if not coords:
            raise ValueError("cannot centre a projection on no coordinates")
        lons = [c[0] for c in coords]
        lats = [c[1] for c in coords]
        return cls((min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2)

    def to_xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.origin_lon) * self._kx, (lat - self.origin_lat) * self._ky

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        return self.origin_lon + x / self._kx, self.origin_lat + y / self._ky


def project_onto_polyline(
    px: float, py: float, xs: Sequence[float], ys: Sequence[float], cum: Sequence[float]
) -> tuple[float, float]:
    """Distance from a point to a polyline and the distance along it of the nearest point.

    `cum[i]` is the length along the polyline at vertex i.
    """
    best_d2 = math.inf
    best_along = 0.0
    for i in range(len(xs) - 1):
        ax, ay, bx, by = xs[i], ys[i], xs[i + 1], ys[i + 1]
        dx, dy = bx - ax, by - ay
        seg2 = dx * dx + dy * dy
        t = 0.0 if seg2 == 0 else ((px - ax) * dx + (py - ay) * dy) / seg2
        if t < 0.0:
            t = 0.0
        elif t > 1.0:
            t = 1.0
        cx, cy = ax + t * dx, ay + t * dy
        d2 = (px - cx) ** 2 + (py - cy) ** 2
        if d2 < best_d2:
            best_d2 = d2
            best_along = cum[i] + t * (cum[i + 1] - cum[i])
    return math.sqrt(best_d2), best_along
