"""Plain domain values shared by the core and the screens.

Frozen dataclasses, no behaviour beyond small derived properties: the UI may hold them
freely without reaching back into the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True, slots=True)
class Assignment:
    """Today's work for this operator and device, as the server last described it."""

    id: str
    version: int
    date: str
    operator: str
    device_id: str
    vehicle: str
    route: Route


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


class GpsQuality(StrEnum):
    NO_FIX = "no_fix"
    FIX = "fix"
    STALE = "stale"


@dataclass(frozen=True, slots=True)
class GpsState:
    quality: GpsQuality
    last_fix: Fix | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class SyncState:
    """What the status bar shows about the connection and the upload queue."""

    online: bool
    offline_since: datetime | None
    pending: dict[str, int] = field(default_factory=dict)
    last_success: datetime | None = None
    last_error: str | None = None
    rejected: int = 0
    # Facts whose sequence number the server had seen with other content (an alarm).
    conflicts: int = 0
    # The server refused our login and no refresh worked: uploads wait for a new login.
    login_required: bool = False
    # The server speaks a newer protocol: uploads wait for an update; the queue is kept.
    update_required: bool = False
    # Device clock minus server clock, in seconds, from the last answer.
    clock_skew_s: float | None = None
    # The local database could not be written (disk full …), in plain words.
    storage_error: str | None = None
    # Facts accepted for an assignment that changed while offline (the operator is told).
    stale_facts: int = 0
    # Times the watchdog recreated the HTTP client because uploads made no progress.
    watchdog_restarts: int = 0

    @property
    def pending_total(self) -> int:
        return sum(self.pending.values())


@dataclass(frozen=True, slots=True)
class Changes:
    """What one core operation changed, so each screen redraws only what it shows."""

    segments: frozenset[str] = frozenset()
    vehicle: Fix | None = None
    route: bool = False
    outbox: bool = False
    sync: bool = False
    gps: bool = False
    # Supervisor messages arrived, changed or were acknowledged.
    messages: bool = False
    # The shift started or ended.
    shift: bool = False

    def __bool__(self) -> bool:
        return bool(
            self.segments
            or self.vehicle
            or self.route
            or self.outbox
            or self.sync
            or self.gps
            or self.messages
            or self.shift
        )


class ExceptionKind(StrEnum):
    """What stopped the operator sweeping a stretch, reported in one tap."""

    PARKED_CARS = "parked_cars"
    CONSTRUCTION = "construction"
    DEBRIS_PILE = "debris_pile"
    BLOCKED = "blocked"
    OTHER = "other"


class CurbSide(StrEnum):
    """Which curb an exception concerns; sweepers brush the right-hand one."""

    RIGHT = "right"
    LEFT = "left"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class SupervisorMessage:
    """A message from the supervisor, as pulled; `acknowledged` once the operator tapped OK."""

    id: str
    text: str
    sender: str
    sent_at: str
    acknowledged: bool = False
