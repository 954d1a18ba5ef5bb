"""Plain domain values shared by the core and the screens.

Frozen dataclasses, no behaviour beyond small derived properties: the UI may hold them
freely without reaching back into the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from coverage.model import Fix, Route
from coverage.profiles import DEFAULT_PROFILE, CoverageProfile


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
    # The city's coverage rule, as the server sent it with the assignment (an assignment
    # from a server that sends none runs DEFAULT_PROFILE, the rule tablets ran before).
    coverage_profile: CoverageProfile = DEFAULT_PROFILE


class GpsQuality(StrEnum):
    NO_FIX = "no_fix"
    FIX = "fix"
    STALE = "stale"


@dataclass(frozen=True, slots=True)
class GpsState:
    """What the status strip says about positions: quality, the true source, and why
    there is no fix when there is none."""

    quality: GpsQuality
    last_fix: Fix | None = None
    source: str = ""
    satellites: int | None = None
    simulated: bool = False  # the screens show SIMULATED GPS
    detail: str = ""  # the source's own words: "connecting", "gpsd not answering: …"


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
    # The database was damaged at start and set aside (plain words; None: it was fine).
    storage_notice: str | None = None

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
