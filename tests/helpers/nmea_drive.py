"""A drive along a route's real street geometry, written as a receiver would send it:
NMEA 0183 GGA, GSA and RMC at 1 Hz, timed to the clock it is given (for gpsfake, a
serial line or a TCP stream that must look live)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce

from coverage.geo import haversine_m
from coverage.model import Segment

Point = tuple[float, float]  # lon, lat


@dataclass(frozen=True, slots=True)
class Epoch:
    t: datetime
    lon: float
    lat: float
    speed_mps: float
    course_deg: float


def connected_chain(segments: Sequence[Segment], min_length_m: float) -> list[Segment]:
    """Segments in driving order, each starting where the last ended (reversed where
    needed), until the chain is `min_length_m` long; starts from the first segment."""
    chain = [segments[0]]
    end = segments[0].coords[-1]
    used = {segments[0].id}
    while sum(s.length_m for s in chain) < min_length_m:
        for seg in segments:
            if seg.id in used:
                continue
            if _close(seg.coords[0], end):
                chain.append(seg)
                end = seg.coords[-1]
                break
            if _close(seg.coords[-1], end):
                chain.append(_reversed(seg))
                end = seg.coords[0]
                break
        else:
            break
        used.add(chain[-1].id)
    return chain


def there_and_back(chain: Sequence[Segment]) -> list[Point]:
    """The chain driven forward then back: each street's two curbs get a pass."""
    forward: list[Point] = []
    for seg in chain:
        for point in seg.coords:
            if not forward or not _close(forward[-1], point):
                forward.append(point)
    return forward + forward[-2::-1]


def epochs(
    path: Sequence[Point], *, start: datetime, speed_mps: float, still_s: int = 0
) -> list[Epoch]:
    """One position a second along `path` at `speed_mps`, after `still_s` seconds parked
    at its start."""
    out = [Epoch(start + timedelta(seconds=i), *path[0], 0.0, 0.0) for i in range(still_s)]
    t = start + timedelta(seconds=still_s)
    carry = 0.0  # metres into the current leg where the next epoch falls
    for a, b in itertools.pairwise(path):
        leg = haversine_m(a[0], a[1], b[0], b[1])
        course = _course(a, b)
        d = carry
        while d < leg:
            f = d / leg
            out.append(
                Epoch(t, a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, speed_mps, course)
            )
            t += timedelta(seconds=1)
            d += speed_mps
        carry = d - leg
    return out


def nmea_lines(epoch: Epoch) -> list[str]:
    """GGA (position, 9 satellites, HDOP 0.9), GSA (3D) and RMC (speed, course, date)."""
    hms = epoch.t.strftime("%H%M%S") + f".{epoch.t.microsecond // 10_000:02d}"
    lat = _dm(abs(epoch.lat), 2) + ("N" if epoch.lat >= 0 else "S")
    lon = _dm(abs(epoch.lon), 3) + ("E" if epoch.lon >= 0 else "W")
    lat_f, lat_h = lat[:-1], lat[-1]
    lon_f, lon_h = lon[:-1], lon[-1]
    knots = epoch.speed_mps * 3600 / 1852
    return [
        _sentence(f"GPGGA,{hms},{lat_f},{lat_h},{lon_f},{lon_h},1,09,0.9,330.0,M,-34.0,M,,"),
        _sentence("GPGSA,A,3,02,05,07,09,13,16,20,23,30,,,,1.6,0.9,1.3"),
        _sentence(
            f"GPRMC,{hms},A,{lat_f},{lat_h},{lon_f},{lon_h},{knots:.2f},{epoch.course_deg:.1f},"
            f"{epoch.t.strftime('%d%m%y')},,,A"
        ),
    ]


def _sentence(body: str) -> str:
    checksum = reduce(lambda acc, ch: acc ^ ord(ch), body, 0)
    return f"${body}*{checksum:02X}"


def _dm(degrees: float, width: int) -> str:
    whole = int(degrees)
    minutes = (degrees - whole) * 60
    return f"{whole:0{width}d}{minutes:07.4f}"


def _course(a: Point, b: Point) -> float:
    dx = (b[0] - a[0]) * math.cos(math.radians(a[1]))
    dy = b[1] - a[1]
    return math.degrees(math.atan2(dx, dy)) % 360


def _close(a: Point, b: Point) -> bool:
    return haversine_m(a[0], a[1], b[0], b[1]) < 1.0


def _reversed(seg: Segment) -> Segment:
    return Segment(seg.id, seg.street, seg.length_m, seg.lanes, seg.oneway, seg.coords[::-1])
