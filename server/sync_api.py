"""`POST /api/v1/sync/push` and `POST /api/v1/sync/pull` (docs/api.md, SYNC.md).

Thin HTTP layer: protocol and batch-size checks, then `server.facts` and `server.pull`
do the work in one transaction or snapshot each.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from server.auth import BearerCredentials, CurrentUser, bearer_user
from server.body import LimitedBodyRoute
from server.clock import server_time
from server.dbapi import ClientConnection, Store
from server.deps import get_db, get_settings
from server.errors import (
    CLIENT_VERSION_HEADER,
    ApiError,
    check_client_version,
    update_required,
)
from server.fact_time import IMPLAUSIBLE_TIME
from server.facts import PushOutcome, apply_push
from server.pull import pull as read_pull
from server.schemas import (
    Change,
    ErrorResponse,
    LastProcessed,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    PushResult,
)
from server.settings import Settings
from server.stream import StreamHub, publish_push
from wire.protocol import PROTOCOL_VERSION

router = APIRouter(
    prefix="/api/v1/sync",
    tags=["sync"],
    route_class=LimitedBodyRoute,
    responses={
        400: {"model": ErrorResponse},
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse},
        413: {"model": ErrorResponse},
        426: {"model": ErrorResponse},
        503: {"model": ErrorResponse},
    },
)


@router.post("/push", response_model=PushResponse, response_model_exclude_none=True)
def push(
    request: Request,
    body: PushRequest,
    credentials: BearerCredentials,
    db: Annotated[Store, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> PushResponse:
    # Authenticated here rather than by a `CurrentUser` dependency: that would be a second
    # trip through the thread pool on the busiest endpoint.
    user = bearer_user(db, credentials)
    if body.protocol != PROTOCOL_VERSION:
        raise update_required(body.protocol)
    check_client_version(request.headers.get(CLIENT_VERSION_HEADER), settings.min_client_version)
    if len(body.events) > settings.max_events_per_push:
        raise ApiError(
            413,
            f"batch has {len(body.events)} events, at most {settings.max_events_per_push} "
            "allowed: send fewer",
        )
    hub: StreamHub = request.app.state.stream_hub

    def announce(conn: ClientConnection, outcome: PushOutcome) -> None:
        doubtful = {r.seq for r in outcome.results if IMPLAUSIBLE_TIME in r.flags}
        publish_push(
            hub,
            conn,
            username=user.username,
            device_id=body.device_id,
            stream=body.stream,
            events=[
                (e.type, e.payload, None if e.seq in doubtful else e.gps_time) for e in body.events
            ],
            seqs=[e.seq for e in body.events],
            statuses={r.seq: r.status for r in outcome.results},
            last_processed_seq=outcome.last_processed_seq,
            waiting=None if body.waiting is None else body.waiting.model_dump(),
        )

    outcome = apply_push(db, user, body, settings, announce)
    return PushResponse(
        stream=body.stream,
        last_processed_seq=outcome.last_processed_seq,
        server_time=server_time(),
        results=[
            PushResult.model_validate(
                {
                    "seq": r.seq,
                    "status": r.status,
                    "reason": r.reason,
                    "expected": r.expected,
                    "flags": list(r.flags) or None,
                }
            )
            for r in outcome.results
        ],
    )


@router.post("/pull", response_model=PullResponse)
def pull(
    request: Request,
    body: PullRequest,
    user: CurrentUser,
    db: Annotated[Store, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> PullResponse:
    if body.protocol != PROTOCOL_VERSION:
        raise update_required(body.protocol)
    check_client_version(request.headers.get(CLIENT_VERSION_HEADER), settings.min_client_version)
    page = read_pull(db, user, body.client_id, body.cursor, settings.pull_page_limit)
    return PullResponse(
        cursor=page.cursor,
        reset=page.reset,
        has_more=page.has_more,
        last_processed_seq=LastProcessed(**page.last_processed_seq),
        server_time=server_time(),
        changes=[Change.model_validate(c) for c in page.changes],
    )
