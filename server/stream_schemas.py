"""Pydantic models of the supervisor endpoints (fleet, reassignment, progress, history,
feedback, metrics, equity) for the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class LastFix(BaseModel):
    t_ms: float
    lat: float
    lon: float
    speed_mps: float | None = None
    heading_deg: float | None = None
    acc_m: float | None = None
    fix_count: int
    received_at: str


class WaitingOut(BaseModel):
    events: int
    gps: int
    reported_at: str


class VehicleOut(BaseModel):
    device_id: str
    vehicle: str
    username: str
    assignment_id: str
    route_id: str
    route_name: str
    length_m: float
    swept_m: float
    pct: float
    last_fix: LastFix | None
    last_sync: str | None
    waiting: WaitingOut | None = Field(
        default=None, description="Facts waiting on the tablet, as its last push reported"
    )
    alert: str | None = Field(
        default=None,
        description="Plain words when the tablet reported today that its database was"
        " damaged and set aside (what it recovered, what it could not read)",
    )


class FleetResponse(BaseModel):
    server_time: str
    date: str
    vehicles: list[VehicleOut]


class ReassignIn(BaseModel):
    device_id: str = Field(min_length=1, max_length=128)
    operator: str | None = Field(
        default=None, min_length=1, max_length=128, description="default: unchanged"
    )
    vehicle: str | None = Field(default=None, min_length=1, max_length=128)


class RouteProgressOut(BaseModel):
    route_id: str
    name: str
    length_m: float
    swept_m: float
    pct: float
    segments: int
    segments_swept: int
    operators: list[str]


class ProgressResponse(BaseModel):
    server_time: str
    date: str | None
    routes: list[RouteProgressOut]


_CLAIMED = Field(
    default=None,
    description="The GPS or device time the tablet gave, when it was too far from the"
    " receive time to be believed (then `time` is when the server received it)",
)


class SweepOut(BaseModel):
    time: str
    claimed_time: str | None = _CLAIMED
    username: str
    source: str | None
    side: str | None


class SegmentExceptionOut(BaseModel):
    time: str
    claimed_time: str | None = _CLAIMED
    username: str
    kind: str
    note: str | None


class SegmentHistoryOut(BaseModel):
    segment_id: str
    street: str
    length_m: float
    passes: int
    swept_at: str | None
    swept_by: str | None
    sweeps: list[SweepOut]
    exceptions: list[SegmentExceptionOut]


class HistoryResponse(BaseModel):
    server_time: str
    route_id: str
    segments: list[SegmentHistoryOut]


class AnswerOut(BaseModel):
    question_id: str
    label: str
    type: str | None
    value: Any


class FeedbackOut(BaseModel):
    position: int
    type: str
    status: str
    reason: str | None
    username: str
    device_id: str
    time: str
    received_at: str
    route_id: str | None
    segment_id: Any
    lat: float | None
    lon: float | None
    form_id: str | None
    form_version: Any
    form_title: str | None
    text: Any
    answers: list[AnswerOut]


class FeedbackResponse(BaseModel):
    server_time: str
    items: list[FeedbackOut]


class MetricsResponse(BaseModel):
    server_time: str
    since: str
    until: str
    completion: list[dict[str, Any]]
    curb_km_per_hour: list[dict[str, Any]]
    speed_histogram: dict[str, Any]
    exceptions_by_kind: dict[str, int]
    ratings: list[dict[str, Any]]


class AreaOut(BaseModel):
    id: str
    name: str
    kind: str
    attribution: str
    segments: int
    length_m: float
    swept_m: float
    completion_pct: float
    last_swept_at: str | None
    days_since_last_sweep: float | None
    median_days_since_sweep: float | None
    geometry: dict[str, Any]


class EquityResponse(BaseModel):
    server_time: str
    areas: list[AreaOut]
