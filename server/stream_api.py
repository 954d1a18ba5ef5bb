"""Live supervision: `GET /api/v1/stream` (Server-Sent Events), `GET /api/v1/fleet`
(the same picture for polling) and reassigning a route to another vehicle.

The stream opens with a `snapshot` event (the fleet as `GET /api/v1/fleet` returns it),
then carries `position`, `progress`, `exception`, `feedback` and `sync` events as pushes
are applied, a comment line every `heartbeat` seconds so dead connections are noticed,
and `lagged` if this client fell so far behind that events were dropped (fetch the
fleet again). `max_s` closes the stream after that many seconds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from server.admin import AdminError, AssignmentRequest, assign
from server.auth import StaffUser
from server.body import LimitedBodyRoute
from server.clock import local_today, server_time
from server.dbapi import Store
from server.deps import get_db
from server.errors import ApiError
from server.logs import log_event
from server.schemas import AssignmentResponse, AssignmentSummary, ErrorResponse
from server.stream import StreamHub, fleet_snapshot, sse_frame
from server.stream_schemas import FleetResponse, ReassignIn, VehicleOut

log = logging.getLogger(__name__)
HEARTBEAT_S = 15.0
# After the first event arrives, a stream waits this long before writing, so everything
# published meanwhile goes out in one write: with many streams and many pushes a second,
# one write per stream per tick instead of one per push (the supervisor's map is no less
# live for it; the delivery goal is under 1 s).
COALESCE_S = 0.05

router = APIRouter(
    prefix="/api/v1",
    tags=["supervision"],
    route_class=LimitedBodyRoute,
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)


def _read_fleet(db: Store) -> str:
    with db.read() as conn:
        vehicles = fleet_snapshot(conn)
    return json.dumps(
        {"server_time": server_time(), "date": local_today().isoformat(), "vehicles": vehicles}
    )


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"}},
)
async def stream(
    request: Request,
    staff: StaffUser,
    db: Annotated[Store, Depends(get_db)],
    max_s: Annotated[float | None, Query(gt=0, le=86400)] = None,
    heartbeat: Annotated[float, Query(ge=0.05, le=300)] = HEARTBEAT_S,
) -> StreamingResponse:
    hub: StreamHub = request.app.state.stream_hub
    sub = hub.subscribe()
    deadline = None if max_s is None else time.monotonic() + max_s
    log_event(log, logging.INFO, "stream_opened", username=staff.username)

    async def events() -> AsyncIterator[str]:
        try:
            yield "retry: 2000\n" + sse_frame(
                None, "snapshot", await run_in_threadpool(_read_fleet, db)
            )
            while True:
                wait = heartbeat
                if deadline is not None:
                    wait = min(wait, deadline - time.monotonic())
                    if wait <= 0:
                        return
                try:
                    item = await asyncio.wait_for(sub.queue.get(), wait)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                await asyncio.sleep(COALESCE_S)
                frames = [item]
                while not sub.queue.empty() and len(frames) < 500:
                    frames.append(sub.queue.get_nowait())
                if sub.dropped:
                    sub.dropped = 0
                    frames.append(sse_frame(None, "lagged", "{}"))
                yield "".join(frames)
        finally:
            hub.unsubscribe(sub)
            log_event(log, logging.INFO, "stream_closed", username=staff.username)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get("/fleet", response_model=FleetResponse)
def fleet(_: StaffUser, db: Annotated[Store, Depends(get_db)]) -> FleetResponse:
    """Every vehicle assigned today: route, progress, last fix, last time it synced."""
    data = json.loads(_read_fleet(db))
    return FleetResponse(
        server_time=data["server_time"],
        date=data["date"],
        vehicles=[VehicleOut.model_validate(v) for v in data["vehicles"]],
    )


@router.post(
    "/assignments/{assignment_id}/reassign",
    response_model=AssignmentResponse,
    responses={404: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
)
def reassign(
    assignment_id: Annotated[str, Path(min_length=1, max_length=128)],
    body: ReassignIn,
    staff: StaffUser,
    db: Annotated[Store, Depends(get_db)],
) -> AssignmentResponse:
    """Give the route to another vehicle (and operator). The tablets see it on their next
    pull; facts the old tablet still holds are accepted and flagged `stale_assignment`."""
    try:
        with db.write() as conn:
            row = conn.execute(
                "SELECT date, operator, route_id FROM assignments WHERE id = ?", (assignment_id,)
            ).fetchone()
            if row is None:
                raise AdminError(f"no assignment {assignment_id!r}", missing=True)
            saved = assign(
                conn,
                AssignmentRequest(
                    date=row["date"],
                    operator=body.operator or row["operator"],
                    device_id=body.device_id,
                    route_id=row["route_id"],
                    vehicle=body.vehicle,
                    assignment_id=assignment_id,
                ),
            )
    except AdminError as exc:
        raise ApiError(404 if exc.missing else 422, str(exc)) from None
    log_event(
        log,
        logging.INFO,
        "assignment_reassigned",
        by=staff.username,
        id=assignment_id,
        device_id=body.device_id,
        v=saved["version"],
    )
    return AssignmentResponse(
        server_time=server_time(), assignment=AssignmentSummary.model_validate(saved)
    )
