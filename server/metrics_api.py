"""Supervisor reads: route progress, per-segment history, the feedback inbox, pilot
metrics and the equity view (staff only)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from server.auth import StaffUser
from server.clock import local_today, server_time
from server.dbapi import Store
from server.deps import get_db
from server.equity import equity
from server.errors import ApiError
from server.metrics import feedback_items, pilot_metrics, route_progress, segment_history
from server.schemas import ErrorResponse
from server.stream_schemas import (
    AreaOut,
    EquityResponse,
    FeedbackOut,
    FeedbackResponse,
    HistoryResponse,
    MetricsResponse,
    ProgressResponse,
    RouteProgressOut,
    SegmentHistoryOut,
)

router = APIRouter(
    prefix="/api/v1",
    tags=["supervision"],
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)
_DATE = r"^\d{4}-\d{2}-\d{2}$"
MAX_METRIC_DAYS = 366


def _day(text: str | None, name: str) -> str | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ApiError(422, f"{name} {text!r} is not a date (YYYY-MM-DD)") from None


@router.get("/progress", response_model=ProgressResponse)
def progress(
    _: StaffUser,
    db: Annotated[Store, Depends(get_db)],
    date: Annotated[str | None, Query(pattern=_DATE)] = None,
) -> ProgressResponse:
    """Per route: swept length and segments (swept on or after `date` when given, then
    only routes assigned that day, with their operators)."""
    day = _day(date, "date")
    with db.read() as conn:
        routes = route_progress(conn, day)
    return ProgressResponse(
        server_time=server_time(),
        date=day,
        routes=[RouteProgressOut.model_validate(r) for r in routes],
    )


@router.get(
    "/routes/{route_id}/history",
    response_model=HistoryResponse,
    responses={404: {"model": ErrorResponse}},
)
def history(
    route_id: Annotated[str, Path(min_length=1, max_length=128)],
    _: StaffUser,
    db: Annotated[Store, Depends(get_db)],
) -> HistoryResponse:
    with db.read() as conn:
        if conn.execute("SELECT 1 FROM routes WHERE id = ?", (route_id,)).fetchone() is None:
            raise ApiError(404, f"no route {route_id!r}")
        segments = segment_history(conn, route_id)
    return HistoryResponse(
        server_time=server_time(),
        route_id=route_id,
        segments=[SegmentHistoryOut.model_validate(s) for s in segments],
    )


@router.get("/feedback", response_model=FeedbackResponse)
def feedback(
    _: StaffUser,
    db: Annotated[Store, Depends(get_db)],
    operator: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    route_id: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    form_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    question: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    since: Annotated[str | None, Query(pattern=_DATE)] = None,
    until: Annotated[str | None, Query(pattern=_DATE)] = None,
) -> FeedbackResponse:
    """Form answers and free comments, oldest first, filtered."""
    with db.read() as conn:
        items = feedback_items(
            conn,
            operator=operator,
            route_id=route_id,
            form_id=form_id,
            question=question,
            since=_day(since, "since"),
            until=_day(until, "until"),
        )
    return FeedbackResponse(
        server_time=server_time(), items=[FeedbackOut.model_validate(i) for i in items]
    )


@router.get("/metrics", response_model=MetricsResponse, responses={422: {"model": ErrorResponse}})
def metrics(
    _: StaffUser,
    db: Annotated[Store, Depends(get_db)],
    since: Annotated[str | None, Query(pattern=_DATE)] = None,
    until: Annotated[str | None, Query(pattern=_DATE)] = None,
) -> MetricsResponse:
    """The pilot charts' data per day between `since` and `until` (default: 14 days)."""
    end = _day(until, "until") or local_today().isoformat()
    start = _day(since, "since") or (date.fromisoformat(end) - timedelta(days=13)).isoformat()
    span = (date.fromisoformat(end) - date.fromisoformat(start)).days
    if not 0 <= span < MAX_METRIC_DAYS:
        raise ApiError(422, f"since must be on or before until, at most {MAX_METRIC_DAYS} days")
    with db.read() as conn:
        data = pilot_metrics(conn, start, end)
    return MetricsResponse(server_time=server_time(), **data)


@router.get("/equity", response_model=EquityResponse)
def equity_view(_: StaffUser, db: Annotated[Store, Depends(get_db)]) -> EquityResponse:
    """Per imported area: completion and days since the last sweep."""
    with db.read() as conn:
        areas = equity(conn)
    return EquityResponse(
        server_time=server_time(), areas=[AreaOut.model_validate(a) for a in areas]
    )
