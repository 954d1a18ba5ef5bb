"""Pydantic models of every request and response body, as `docs/api.md` defines them.

They are the OpenAPI document (`/openapi.json`) the tablet and the fuzz tests rely on,
so responses are validated against them too: a server bug shows up as a 500 in a test
instead of as a silently wrong field on a tablet.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.forms_schemas import FormOut
from server.messages_schemas import PulledMessage
from wire.protocol import STREAMS

SQLITE_INT_MAX = 2**63 - 1
_ID = Field(min_length=1, max_length=128)


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ErrorResponse(BaseModel):
    detail: str = Field(description="Plain words naming what was wrong")
    server_time: str


class HealthResponse(BaseModel):
    status: Literal["ok"]
    protocol: int
    version: str
    server_time: str
    min_client_version: str | None = None


class ReadyResponse(BaseModel):
    status: Literal["ready"]
    database: Literal["sqlite", "postgresql"]
    server_time: str


class LoginRequest(_Body):
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(max_length=1024)
    device_id: str | None = Field(default=None, min_length=1, max_length=128)


Role = Literal["operator", "supervisor", "admin"]


class UserOut(BaseModel):
    username: str
    role: Role
    display_name: str


class LoginResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int = Field(description="Seconds the access token is valid")
    refresh_token: str = Field(description="Single use: POST it to /api/v1/auth/refresh")
    refresh_expires_in: int
    user: UserOut
    server_time: str


class RefreshRequest(_Body):
    refresh_token: str = Field(min_length=1, max_length=256)


class LogoutResponse(BaseModel):
    status: Literal["logged_out"]
    server_time: str


class LineString(BaseModel):
    type: Literal["LineString"]
    coordinates: list[list[float]]


class SegmentProperties(BaseModel):
    id: str
    street: str
    length_m: float
    lanes: int
    oneway: bool


class SegmentFeature(BaseModel):
    type: Literal["Feature"]
    id: str
    geometry: LineString
    properties: SegmentProperties


class SegmentCollection(BaseModel):
    type: Literal["FeatureCollection"]
    features: list[SegmentFeature]


class RouteOut(BaseModel):
    id: str
    name: str
    length_m: float
    attribution: str = Field(description="Licence notice of the street data")
    segments: SegmentCollection


class CoverageProfileOut(BaseModel):
    """The city's coverage rule and its parameters (coverage/profiles.py, docs/coverage.md)."""

    name: str = Field(description="kitchener-2023 or sweepline")
    min_speed_kmh: float = Field(description="Sweeping band, low end (over the speed window)")
    max_speed_kmh: float = Field(description="Sweeping band, high end")
    end_trim_m: float = Field(description="Trimmed off each end against intersections")
    max_trim_share: float | None = Field(description="Trim at most this share of a short segment")
    lane_width_m: float = Field(description="Buffer: LANES × lane_width_m + buffer_extra_m")
    buffer_extra_m: float
    track_buffer_m: float = Field(description="Area test: the track buffered by this much")
    min_area_fraction: float = Field(description="Area test: share of the buffer to exceed")
    street_margin_m: float = Field(description="Street band: LANES × lane width / 2 + this")
    max_accuracy_m: float = Field(description="Fixes reporting a larger error add nothing")
    unknown_accuracy_m: float = Field(description="Accuracy assumed when a fix reports none")
    curb_sides: bool = Field(description="Each curb needed must be travelled")
    side_done_fraction: float = Field(description="Share of its length that completes a curb")


class AssignmentOut(BaseModel):
    id: str
    version: int
    date: str
    operator: str
    device_id: str
    vehicle: str
    route: RouteOut
    coverage_profile: CoverageProfileOut = Field(
        description="The rule the tablet runs for this assignment (server configuration)"
    )


class AssignmentsTodayResponse(BaseModel):
    server_time: str
    date: str
    assignments: list[AssignmentOut]


class SegmentStatusOut(BaseModel):
    segment_id: str
    swept: bool
    swept_at: str
    swept_by: str
    passes: int
    sides: list[Literal["left", "right"]] = Field(description="Sides swept so far")
    last_source: str = Field(description="How the latest pass was recorded")


class RouteStatusResponse(BaseModel):
    server_time: str
    route_id: str
    coverage_profile: CoverageProfileOut = Field(
        description="The rule in force, the one assignments carry to the tablets"
    )
    segments: list[SegmentStatusOut]


class PushEvent(_Body):
    seq: int = Field(ge=1, le=SQLITE_INT_MAX)
    type: str = Field(min_length=1, max_length=64)
    id: str | None = Field(default=None, max_length=128)
    sha256: str = Field(min_length=1, max_length=128)
    assignment_version: int | None = Field(default=None, ge=-SQLITE_INT_MAX, le=SQLITE_INT_MAX)
    device_time: str | None = Field(default=None, max_length=64)
    gps_time: str | None = Field(default=None, max_length=64)
    payload: Any = Field(default=None, description="Type-specific object (docs/api.md)")


MAX_WAITING = 10_000_000


class Waiting(_Body):
    """Facts waiting in the tablet's outbox per stream when it sent this push."""

    events: int = Field(default=0, ge=0, le=MAX_WAITING)
    gps: int = Field(default=0, ge=0, le=MAX_WAITING)


class PushRequest(_Body):
    protocol: int
    client_id: str = _ID
    device_id: str = _ID
    stream: Literal["events", "gps"] = Field(description=f"One of {', '.join(STREAMS)}")
    events: list[PushEvent]
    waiting: Waiting | None = Field(
        default=None,
        description="Facts waiting on the tablet per stream at send time (this batch included)",
    )


class PushResult(BaseModel):
    seq: int
    status: Literal["applied", "duplicate", "conflict_reused_seq", "rejected", "gap"]
    reason: str | None = None
    expected: int | None = None
    flags: list[Literal["stale_assignment", "implausible_time"]] | None = Field(
        default=None,
        description="Accepted but noteworthy: the route was reassigned (stale_assignment), or"
        " the fact's time is too far from when it arrived to be used (implausible_time)",
    )


class PushResponse(BaseModel):
    stream: str
    last_processed_seq: int
    server_time: str
    results: list[PushResult]


class PullRequest(_Body):
    protocol: int
    client_id: str = _ID
    cursor: str | None = Field(default=None, max_length=1024)


class LastProcessed(BaseModel):
    events: int
    gps: int


class Change(BaseModel):
    op: Literal["put", "del"]
    entity: Literal["assignment", "form", "message"]
    id: str
    version: int
    value: AssignmentOut | FormOut | PulledMessage | None


class PullResponse(BaseModel):
    cursor: str
    reset: bool
    has_more: bool
    last_processed_seq: LastProcessed
    server_time: str
    changes: list[Change]


_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$"
_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


class UserCreate(_Body):
    username: str = Field(pattern=_NAME_PATTERN)
    password: str = Field(min_length=8, max_length=1024)
    role: Role
    display_name: str = Field(default="", max_length=128)


class UserInfo(BaseModel):
    username: str
    role: Role
    display_name: str
    disabled: bool


class UserDisable(_Body):
    disabled: bool


class UserResponse(BaseModel):
    server_time: str
    user: UserInfo


class UsersResponse(BaseModel):
    server_time: str
    users: list[UserInfo]


class DeviceIn(_Body):
    device_id: str = Field(pattern=_NAME_PATTERN)
    vehicle: str = Field(min_length=1, max_length=128)


class DeviceOut(BaseModel):
    device_id: str
    vehicle: str


class DeviceResponse(BaseModel):
    server_time: str
    device: DeviceOut


class DevicesResponse(BaseModel):
    server_time: str
    devices: list[DeviceOut]


class AssignmentIn(_Body):
    id: str | None = Field(default=None, pattern=_NAME_PATTERN)
    date: str = Field(pattern=_DATE_PATTERN, description="YYYY-MM-DD (server local day)")
    operator: str = _ID
    device_id: str = _ID
    route_id: str = _ID
    vehicle: str | None = Field(default=None, min_length=1, max_length=128)


class AssignmentSummary(BaseModel):
    id: str
    version: int
    date: str
    operator: str
    device_id: str
    vehicle: str
    route_id: str
    route_name: str


class AssignmentResponse(BaseModel):
    server_time: str
    assignment: AssignmentSummary


class AssignmentsResponse(BaseModel):
    server_time: str
    assignments: list[AssignmentSummary]


class DeletedResponse(BaseModel):
    server_time: str
    deleted: str


class RouteSummary(BaseModel):
    id: str
    name: str
    length_m: float
    attribution: str
    segment_count: int


class RoutesResponse(BaseModel):
    server_time: str
    routes: list[RouteSummary]


class FactOut(BaseModel):
    position: int = Field(description="Pass as `after` to read the next page")
    client_id: str
    stream: str
    seq: int
    type: str
    status: Literal["applied", "rejected"]
    reason: str | None
    flags: list[str]
    username: str
    device_id: str
    received_at: str
    device_time: str | None
    gps_time: str | None
    assignment_version: int | None
    payload: Any


class FactsResponse(BaseModel):
    server_time: str
    facts: list[FactOut]
    has_more: bool


class RecomputeResponse(BaseModel):
    server_time: str
    facts_replayed: int
