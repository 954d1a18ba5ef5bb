"""`POST /api/v1/auth/login`, `/refresh` and `/logout` (docs/api.md).

Login answers a short-lived access token and a refresh token; `/refresh` rotates the
refresh token (with a grace window, see `server.auth`).

Attempts are throttled per account and per client address (429 + Retry-After,
`server.throttle`) so a stolen tablet cannot be used to guess an operator's password at
hashing speed, while the account's owner is only slowed down.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from server.auth import (
    OPERATOR,
    CurrentUser,
    RefreshRefused,
    Session,
    authenticate,
    bearer_token,
    logout,
    refresh_session,
    start_session,
)
from server.body import LimitedBodyRoute
from server.clock import local_today, server_time
from server.dbapi import Store
from server.deps import get_db, get_settings
from server.errors import ApiError
from server.logs import log_event
from server.ownership import login_device_problem, spare_pool
from server.schemas import (
    ErrorResponse,
    LoginRequest,
    LoginResponse,
    LogoutResponse,
    RefreshRequest,
    UserOut,
)
from server.settings import Settings
from server.throttle import Attempt, LoginThrottle

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/auth", tags=["auth"], route_class=LimitedBodyRoute)


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


@router.post(
    "/login",
    response_model=LoginResponse,
    responses={
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse, "description": "The tablet named is not yours to use"},
        429: {"model": ErrorResponse},
    },
)
def login(
    request: Request,
    body: LoginRequest,
    db: Annotated[Store, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_settings)],
    throttle: Annotated[LoginThrottle, Depends(_throttle)],
) -> LoginResponse:
    address = request.client.host if request.client is not None else "unknown"
    attempt = throttle.begin(body.username, address)
    if not isinstance(attempt, Attempt):
        log_event(log, logging.INFO, "login_throttled", username=body.username, address=address)
        raise HTTPException(
            429,
            f"too many failed logins, try again in {attempt} s",
            headers={"Retry-After": str(attempt)},
        )
    user = authenticate(db, body.username, body.password, settings)
    if user is None:
        throttle.failed(attempt)
        log_event(log, logging.INFO, "login_failed", username=body.username, address=address)
        raise ApiError(401, "wrong username or password")
    throttle.succeeded(attempt)
    # Staff sessions are never bound to a tablet: the supervisor's console sends its
    # configured device id like every installed client, and it is set aside here (a staff
    # token can then never push as a tablet).
    device_id = body.device_id if user.role == OPERATOR else None
    if device_id is not None:
        with db.read() as conn:
            problem = login_device_problem(
                conn, user, device_id, spare_pool(settings.spare_devices), local_today()
            )
        if problem is not None:
            log_event(
                log,
                logging.INFO,
                "login_device_refused",
                username=user.username,
                device_id=device_id,
            )
            raise ApiError(403, problem)
    session = start_session(db, user, device_id, settings)
    log_event(log, logging.INFO, "login", username=user.username, device_id=device_id)
    return _session_response(session, settings)


def _session_response(session: Session, settings: Settings) -> LoginResponse:
    user = session.user
    return LoginResponse(
        access_token=session.access_token,
        token_type="bearer",
        expires_in=settings.token_ttl_s,
        refresh_token=session.refresh_token,
        refresh_expires_in=settings.refresh_ttl_s,
        user=UserOut.model_validate(
            {"username": user.username, "role": user.role, "display_name": user.display_name}
        ),
        server_time=server_time(),
    )


@router.post(
    "/refresh",
    response_model=LoginResponse,
    responses={401: {"model": ErrorResponse}},
)
def refresh(
    body: RefreshRequest,
    db: Annotated[Store, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> LoginResponse:
    try:
        session = refresh_session(db, body.refresh_token, settings)
    except RefreshRefused as refused:
        if refused.replayed:
            log_event(log, logging.WARNING, "refresh_token_replayed")
        raise ApiError(401, refused.reason) from None
    log_event(
        log,
        logging.INFO,
        "token_refreshed",
        username=session.user.username,
        device_id=session.user.device_id,
    )
    return _session_response(session, settings)


@router.post("/logout", response_model=LogoutResponse, responses={401: {"model": ErrorResponse}})
def logout_endpoint(
    user: CurrentUser,
    token: Annotated[str, Depends(bearer_token)],
    db: Annotated[Store, Depends(get_db)],
) -> LogoutResponse:
    logout(db, token)
    log_event(log, logging.INFO, "logout", username=user.username)
    return LogoutResponse(status="logged_out", server_time=server_time())
