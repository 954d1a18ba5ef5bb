"""`/api/v1/messages`: supervisors message one operator or all, and see per recipient
when the tablet pulled it and when the operator acknowledged it."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from server.auth import StaffUser
from server.body import LimitedBodyRoute
from server.clock import server_time
from server.dbapi import Store
from server.deps import get_db
from server.errors import ApiError
from server.logs import log_event
from server.messages import MessageError, list_messages, send_message
from server.messages_schemas import MessageIn, MessageOut, MessageResponse, MessagesResponse
from server.schemas import ErrorResponse

log = logging.getLogger(__name__)

router = APIRouter(
    prefix="/api/v1/messages",
    tags=["messages"],
    route_class=LimitedBodyRoute,
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)


@router.get("", response_model=MessagesResponse)
def get_messages(
    _: StaffUser,
    db: Annotated[Store, Depends(get_db)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> MessagesResponse:
    with db.read() as conn:
        messages = list_messages(conn, limit)
    return MessagesResponse(
        server_time=server_time(), messages=[MessageOut.model_validate(m) for m in messages]
    )


@router.post(
    "",
    response_model=MessageResponse,
    responses={404: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
)
def post_message(
    body: MessageIn, staff: StaffUser, db: Annotated[Store, Depends(get_db)]
) -> MessageResponse:
    try:
        with db.write() as conn:
            message = send_message(conn, text=body.text, sender=staff.username, to=body.to)
    except MessageError as exc:
        raise ApiError(404 if exc.missing else 422, str(exc)) from None
    log_event(log, logging.INFO, "message_sent", by=staff.username, id=message["id"], to=body.to)
    return MessageResponse(server_time=server_time(), message=MessageOut.model_validate(message))
