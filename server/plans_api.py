"""Read endpoints: assignments, routes, route progress and the facts received.

Authorisation by ownership: an operator sees only their own assignments, routes
assigned to them and the facts they pushed; supervisors and admins see everything.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from server.admin import list_assignments, list_routes
from server.auth import AdminUser, CurrentUser
from server.clock import local_today, server_time
from server.coverage_profile import profile_value
from server.dbapi import Store
from server.deps import get_db
from server.errors import ApiError
from server.facts import recompute_segment_state
from server.payloads import stored_payload
from server.plans import assignments_on, route_assigned_to
from server.schemas import (
    SQLITE_INT_MAX,
    AssignmentOut,
    AssignmentsResponse,
    AssignmentsTodayResponse,
    AssignmentSummary,
    CoverageProfileOut,
    ErrorResponse,
    FactOut,
    FactsResponse,
    RecomputeResponse,
    RoutesResponse,
    RouteStatusResponse,
    RouteSummary,
    SegmentStatusOut,
)

router = APIRouter(
    prefix="/api/v1",
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)
_DATE = r"^\d{4}-\d{2}-\d{2}$"


@router.get("/assignments/today", response_model=AssignmentsTodayResponse, tags=["plans"])
def assignments_today(
    user: CurrentUser, db: Annotated[Store, Depends(get_db)]
) -> AssignmentsTodayResponse:
    today = local_today().isoformat()
    with db.read() as conn:
        values = assignments_on(conn, today, None if user.sees_all else user.username)
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
    db: Annotated[Store, Depends(get_db)],
) -> RouteStatusResponse:
    with db.read() as conn:
        if conn.execute("SELECT 1 FROM routes WHERE id = ?", (route_id,)).fetchone() is None:
            raise ApiError(404, f"no route {route_id!r}")
        if not user.sees_all and not route_assigned_to(conn, route_id, user.username):
            raise ApiError(403, f"route {route_id!r} is not assigned to you")
        rows = conn.execute(
            "SELECT st.segment_id, st.swept_at, st.swept_by, st.passes, st.sides,"
            " st.last_source FROM segment_state st"
            " LEFT JOIN segments sg ON sg.route_id = st.route_id"
            " AND sg.segment_id = st.segment_id"
            " WHERE st.route_id = ? ORDER BY sg.ord, st.segment_id",
            (route_id,),
        ).fetchall()
        profile = profile_value(conn)
    return RouteStatusResponse(
        server_time=server_time(),
        route_id=route_id,
        coverage_profile=CoverageProfileOut.model_validate(profile),
        segments=[
            SegmentStatusOut(
                segment_id=r["segment_id"],
                swept=True,
                swept_at=r["swept_at"],
                swept_by=r["swept_by"],
                passes=r["passes"],
                sides=[s for s in str(r["sides"]).split(",") if s in ("left", "right")],  # type: ignore[misc]
                last_source=r["last_source"],
            )
            for r in rows
        ],
    )


def _own(user: CurrentUser, requested: str | None, what: str) -> str | None:
    """The username an operator may read (their own); staff read `requested` or all."""
    if user.sees_all:
        return requested
    if requested is not None and requested != user.username:
        raise ApiError(403, f"operators can only read their own {what}")
    return user.username


@router.get("/assignments", response_model=AssignmentsResponse, tags=["plans"])
def assignments(
    user: CurrentUser,
    db: Annotated[Store, Depends(get_db)],
    date: Annotated[str | None, Query(pattern=_DATE)] = None,
    operator: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
) -> AssignmentsResponse:
    """What is assigned (no geometry): operators see only theirs."""
    operator = _own(user, operator, "assignments")
    with db.read() as conn:
        rows = list_assignments(conn, day=date, operator=operator)
    return AssignmentsResponse(
        server_time=server_time(),
        assignments=[AssignmentSummary.model_validate(r) for r in rows],
    )


@router.get("/routes", response_model=RoutesResponse, tags=["plans"])
def routes(user: CurrentUser, db: Annotated[Store, Depends(get_db)]) -> RoutesResponse:
    """Imported routes; operators see the routes assigned to them."""
    with db.read() as conn:
        rows = list_routes(conn, None if user.sees_all else user.username)
    return RoutesResponse(
        server_time=server_time(), routes=[RouteSummary.model_validate(r) for r in rows]
    )


@router.get("/facts", response_model=FactsResponse, tags=["facts"])
def facts(
    user: CurrentUser,
    db: Annotated[Store, Depends(get_db)],
    username: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    device_id: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    stream: Annotated[Literal["events", "gps"] | None, Query()] = None,
    type: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    after: Annotated[int, Query(ge=0, le=SQLITE_INT_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> FactsResponse:
    """Facts as received (fix batches for replay, exceptions, notes…), oldest first.

    Page with `after` = the last `position` read. Operators read only their own."""
    username = _own(user, username, "facts")
    sql = (
        "SELECT rowid AS position, client_id, stream, seq, type, status, reason, flags,"
        " username, device_id, received_at, device_time, gps_time, assignment_version,"
        " payload_json FROM facts WHERE rowid > ?"
    )
    params: list[object] = [after]
    for column, value in (
        ("username", username),
        ("device_id", device_id),
        ("stream", stream),
        ("type", type),
    ):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    with db.read() as conn:
        rows = conn.execute(sql + " ORDER BY rowid LIMIT ?", [*params, limit + 1]).fetchall()
    out = [
        FactOut(
            position=r["position"],
            client_id=r["client_id"],
            stream=r["stream"],
            seq=r["seq"],
            type=r["type"],
            status=r["status"],
            reason=r["reason"],
            flags=[f for f in str(r["flags"]).split(",") if f],
            username=r["username"],
            device_id=r["device_id"],
            received_at=r["received_at"],
            device_time=r["device_time"],
            gps_time=r["gps_time"],
            assignment_version=r["assignment_version"],
            payload=stored_payload(r["payload_json"]),
        )
        for r in rows[:limit]
    ]
    return FactsResponse(server_time=server_time(), facts=out, has_more=len(rows) > limit)


@router.post("/admin/segment-state/recompute", response_model=RecomputeResponse, tags=["admin"])
def recompute(admin: AdminUser, db: Annotated[Store, Depends(get_db)]) -> RecomputeResponse:
    """Rebuild every route's per-segment state from the stored facts alone."""
    with db.write() as conn:
        count = recompute_segment_state(conn)
    return RecomputeResponse(server_time=server_time(), facts_replayed=count)
