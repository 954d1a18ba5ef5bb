"""`POST /api/v1/auth/login`: password in, bearer token out (docs/api.md).

Failed attempts are throttled per username (429 + Retry-After) so a stolen tablet cannot
be used to guess an operator's password at scrypt speed.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from server.auth import LoginThrottle, authenticate, issue_token
from server.body import LimitedBodyRoute
from server.clock import server_time
from server.db import Database
from server.deps import get_db, get_settings
from server.errors import ApiError
from server.logs import log_event
from server.schemas import ErrorResponse, LoginRequest, LoginResponse, UserOut
from server.settings import Settings

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/auth", tags=["auth"], route_class=LimitedBodyRoute)


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


@router.post(
    "/login",
    response_model=LoginResponse,
    responses={401: {"model": ErrorResponse}, 429: {"model": ErrorResponse}},
)
def login(
    body: LoginRequest,
    db: Annotated[Database, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_settings)],
    throttle: Annotated[LoginThrottle, Depends(_throttle)],
) -> LoginResponse:
    wait = throttle.retry_after(body.username)
    if wait is not None:
        log_event(log, logging.INFO, "login_throttled", username=body.username)
        raise HTTPException(
            429,
            f"too many failed logins, try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    user = authenticate(db, body.username, body.password)
    if user is None:
        throttle.failed(body.username)
        log_event(log, logging.INFO, "login_failed", username=body.username)
        raise ApiError(401, "wrong username or password")
    throttle.succeeded(body.username)
    token = issue_token(db, user, body.device_id, settings.token_ttl_s)
    log_event(log, logging.INFO, "login", username=user.username, device_id=body.device_id)
    return LoginResponse(
        access_token=token,
        token_type="bearer",
        expires_in=settings.token_ttl_s,
        user=UserOut.model_validate(
            {"username": user.username, "role": user.role, "display_name": user.display_name}
        ),
        server_time=server_time(),
    )
