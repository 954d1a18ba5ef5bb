"""Small geodesy for street pieces: great-circle lengths of (lon, lat) polylines.

Haversine on a mean-radius sphere is within about 0.3 % of the ellipsoid at these
scales, far below what matters for sweeping progress.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Final

EARTH_RADIUS_M: Final = 6_371_008.8

Coord = tuple[float, float]  # (lon, lat), as in GeoJSON


def haversine_m(a: Coord, b: Coord) -> float:
    lon1, lat1 = math.radians(a[0]), math.radians(a[1])
    lon2, lat2 = math.radians(b[0]), math.radians(b[1])
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def line_length_m(coords: Sequence[Coord]) -> float:
    return sum(haversine_m(a, b) for a, b in itertools.pairwise(coords))
