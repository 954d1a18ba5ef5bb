"""Web Mercator tile arithmetic: which XYZ tiles cover an area, and an area around routes.

Pure functions, no I/O: the prefetch planner, the street layer and the tests share them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

MAX_LAT = 85.0511287798066
_M_PER_DEG_LAT = 111_320.0


@dataclass(frozen=True, slots=True)
class BBox:
    """West, south, east, north in WGS84 degrees."""

    west: float
    south: float
    east: float
    north: float

    def __post_init__(self) -> None:
        values = (self.west, self.south, self.east, self.north)
        if not all(math.isfinite(v) for v in values):
            raise ValueError("bounding box has a non-finite coordinate")
        if not (-180 <= self.west <= self.east <= 180 and -90 <= self.south <= self.north <= 90):
            raise ValueError(f"bounding box {values} is not a WGS84 west/south/east/north box")

    @classmethod
    def around(cls, points: Iterable[tuple[float, float]]) -> BBox:
        """The smallest box holding every finite (lon, lat) point; ValueError if none."""
        lons: list[float] = []
        lats: list[float] = []
        for lon, lat in points:
            if (
                math.isfinite(lon)
                and math.isfinite(lat)
                and -180 <= lon <= 180
                and -90 <= lat <= 90
            ):
                lons.append(lon)
                lats.append(lat)
        if not lons:
            raise ValueError("no usable coordinates to build a bounding box from")
        return cls(min(lons), min(lats), max(lons), max(lats))

    def expanded(self, margin_m: float) -> BBox:
        """This box grown by `margin_m` metres on every side (clamped to the world)."""
        dlat = margin_m / _M_PER_DEG_LAT
        mid = math.radians((self.south + self.north) / 2)
        dlon = margin_m / (_M_PER_DEG_LAT * max(math.cos(mid), 0.01))
        return BBox(
            max(-180.0, self.west - dlon),
            max(-90.0, self.south - dlat),
            min(180.0, self.east + dlon),
            min(90.0, self.north + dlat),
        )

    def intersects(self, other: BBox) -> bool:
        return not (
            other.west > self.east
            or other.east < self.west
            or other.south > self.north
            or other.north < self.south
        )


def tile_x(lon: float, zoom: int) -> int:
    n = 1 << zoom
    return min(n - 1, max(0, int((lon + 180.0) / 360.0 * n)))


def tile_y(lat: float, zoom: int) -> int:
    n = 1 << zoom
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    rad = math.radians(lat)
    y = (1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0 * n
    return min(n - 1, max(0, int(y)))


def tile_range(bbox: BBox, zoom: int) -> tuple[int, int, int, int]:
    """(x_min, x_max, y_min, y_max) inclusive, XYZ rows (north is the smaller y)."""
    return (
        tile_x(bbox.west, zoom),
        tile_x(bbox.east, zoom),
        tile_y(bbox.north, zoom),
        tile_y(bbox.south, zoom),
    )


def count_tiles(bbox: BBox, min_zoom: int, max_zoom: int) -> int:
    total = 0
    for z in range(min_zoom, max_zoom + 1):
        x0, x1, y0, y1 = tile_range(bbox, z)
        total += (x1 - x0 + 1) * (y1 - y0 + 1)
    return total


def tiles_in(bbox: BBox, min_zoom: int, max_zoom: int) -> Iterator[tuple[int, int, int]]:
    """Every XYZ tile (z, x, y) covering `bbox` from `min_zoom` to `max_zoom`, low zoom first."""
    for z in range(min_zoom, max_zoom + 1):
        x0, x1, y0, y1 = tile_range(bbox, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                yield (z, x, y)
