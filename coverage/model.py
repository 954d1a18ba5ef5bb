"""The street network and the vehicle's positions as the coverage rule sees them:
GPS fixes, routes of segments, and each segment's state and the route's progress.

Frozen dataclasses with no behaviour beyond small derived properties. They are shared by
the tablet (live), its screens and any tool that runs the rule, so they live beside the
rule and import nothing of ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, slots=True)
class Fix:
    """One GPS position. `t` is the GPS time (UTC, aware)."""

    t: datetime
    lat: float
    lon: float
    speed_mps: float | None = None
    heading_deg: float | None = None
    accuracy_m: float | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    """A street piece of a route. Coordinates are (lon, lat) pairs, as in GeoJSON."""

    id: str
    street: str
    length_m: float
    lanes: int
    oneway: bool
    coords: tuple[tuple[float, float], ...]

    def to_feature(self) -> dict[str, Any]:
        return {
            "type": "Feature",
            "id": self.id,
            "geometry": {"type": "LineString", "coordinates": [list(c) for c in self.coords]},
            "properties": {
                "id": self.id,
                "street": self.street,
                "length_m": self.length_m,
                "lanes": self.lanes,
                "oneway": self.oneway,
            },
        }


@dataclass(frozen=True, slots=True)
class Route:
    id: str
    name: str
    segments: tuple[Segment, ...]

    @property
    def length_m(self) -> float:
        return sum(s.length_m for s in self.segments)


class SegmentState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SWEPT = "swept"


@dataclass(frozen=True, slots=True)
class SegmentStatus:
    segment_id: str
    state: SegmentState
    covered_fraction: float
    swept_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    """Route progress in street length (curb-km arrives with the full coverage rule)."""

    total_m: float
    swept_m: float
    segments_total: int
    segments_swept: int

    @property
    def fraction(self) -> float:
        return self.swept_m / self.total_m if self.total_m > 0 else 0.0

    @property
    def left_m(self) -> float:
        return max(self.total_m - self.swept_m, 0.0)
