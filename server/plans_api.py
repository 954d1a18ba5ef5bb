"""Read endpoints for what the server plans: today's assignments and route progress.

Authorisation by ownership: an operator sees only their own assignments and the status
of routes assigned to them; a supervisor sees everything.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from server.auth import CurrentUser
from server.clock import local_today, server_time
from server.db import Database
from server.deps import get_db
from server.errors import ApiError
from server.plans import assignments_on, route_assigned_to
from server.schemas import (
    AssignmentOut,
    AssignmentsTodayResponse,
    ErrorResponse,
    RouteStatusResponse,
    SegmentStatusOut,
)

router = APIRouter(prefix="/api/v1", responses={401: {"model": ErrorResponse}})


@router.get("/assignments/today", response_model=AssignmentsTodayResponse, tags=["plans"])
def assignments_today(
    user: CurrentUser, db: Annotated[Database, Depends(get_db)]
) -> AssignmentsTodayResponse:
    today = local_today().isoformat()
    with db.read() as conn:
        values = assignments_on(conn, today, None if user.is_supervisor else user.username)
    return AssignmentsTodayResponse(
        server_time=server_time(),
        date=today,
        assignments=[AssignmentOut.model_validate(v) for v in values],
    )


@router.get(
    "/routes/{route_id}/status",
    response_model=RouteStatusResponse,
    tags=["plans"],
    responses={403: {"model": ErrorResponse}, 404: {"model": ErrorResponse}},
)
def route_status(
    route_id: Annotated[str, Path(min_length=1, max_length=128)],
    user: CurrentUser,
    db: Annotated[Database, Depends(get_db)],
) -> RouteStatusResponse:
    with db.read() as conn:
        if conn.execute("SELECT 1 FROM routes WHERE id = ?", (route_id,)).fetchone() is None:
            raise ApiError(404, f"no route {route_id!r}")
        if not user.is_supervisor and not route_assigned_to(conn, route_id, user.username):
            raise ApiError(403, f"route {route_id!r} is not assigned to you")
        rows = conn.execute(
            "SELECT st.segment_id, st.swept_at, st.swept_by, st.passes FROM segment_state st"
            " LEFT JOIN segments sg ON sg.route_id = st.route_id"
            " AND sg.segment_id = st.segment_id"
            " WHERE st.route_id = ? ORDER BY sg.ord, st.segment_id",
            (route_id,),
        ).fetchall()
    return RouteStatusResponse(
        server_time=server_time(),
        route_id=route_id,
        segments=[
            SegmentStatusOut(
                segment_id=r["segment_id"],
                swept=True,
                swept_at=r["swept_at"],
                swept_by=r["swept_by"],
                passes=r["passes"],
            )
            for r in rows
        ],
    )
