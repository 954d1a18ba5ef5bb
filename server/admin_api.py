"""Admin endpoints (`/api/v1/admin/...`): users, devices and assignments.

Only the `admin` role may change anything here; the same operations are available on
the command line (`python -m server add-user ...`), both through `server.admin`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Path

from server.admin import (
    AdminError,
    AssignmentRequest,
    assign,
    create_user,
    list_devices,
    list_users,
    set_user_disabled,
    unassign,
    upsert_device,
)
from server.auth import AdminUser
from server.body import LimitedBodyRoute
from server.clock import server_time
from server.dbapi import Store
from server.deps import get_db, get_settings
from server.errors import ApiError
from server.logs import log_event
from server.schemas import (
    AssignmentIn,
    AssignmentResponse,
    AssignmentSummary,
    DeletedResponse,
    DeviceIn,
    DeviceOut,
    DeviceResponse,
    DevicesResponse,
    ErrorResponse,
    UserCreate,
    UserDisable,
    UserInfo,
    UserResponse,
    UsersResponse,
)
from server.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

router = APIRouter(
    prefix="/api/v1/admin",
    tags=["admin"],
    route_class=LimitedBodyRoute,
    responses={
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse},
        404: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
)
_NAME = Path(min_length=1, max_length=128)


@contextmanager
def _admin_errors() -> Iterator[None]:
    try:
        yield
    except AdminError as exc:
        raise ApiError(404 if exc.missing else 422, str(exc)) from None


def _write(db: Store, action: Callable[..., T], *args: object, **kwargs: object) -> T:
    with _admin_errors(), db.write() as conn:
        return action(conn, *args, **kwargs)


@router.get("/users", response_model=UsersResponse)
def get_users(_: AdminUser, db: Annotated[Store, Depends(get_db)]) -> UsersResponse:
    with db.read() as conn:
        users = list_users(conn)
    return UsersResponse(
        server_time=server_time(), users=[UserInfo.model_validate(u) for u in users]
    )


@router.post("/users", response_model=UserResponse)
def post_user(
    body: UserCreate,
    admin: AdminUser,
    db: Annotated[Store, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> UserResponse:
    user = _write(
        db,
        create_user,
        username=body.username,
        password=body.password,
        role=body.role,
        display_name=body.display_name,
        settings=settings,
    )
    log_event(log, logging.INFO, "user_saved", by=admin.username, username=body.username)
    return UserResponse(server_time=server_time(), user=UserInfo.model_validate(user))


@router.post("/users/{username}/disabled", response_model=UserResponse)
def post_user_disabled(
    username: Annotated[str, _NAME],
    body: UserDisable,
    admin: AdminUser,
    db: Annotated[Store, Depends(get_db)],
) -> UserResponse:
    if username == admin.username and body.disabled:
        raise ApiError(422, "an admin cannot disable their own account")
    user = _write(db, set_user_disabled, username, body.disabled)
    log_event(
        log, logging.INFO, "user_disabled", by=admin.username, username=username, to=body.disabled
    )
    return UserResponse(server_time=server_time(), user=UserInfo.model_validate(user))


@router.get("/devices", response_model=DevicesResponse)
def get_devices(_: AdminUser, db: Annotated[Store, Depends(get_db)]) -> DevicesResponse:
    with db.read() as conn:
        devices = list_devices(conn)
    return DevicesResponse(
        server_time=server_time(), devices=[DeviceOut.model_validate(d) for d in devices]
    )


@router.post("/devices", response_model=DeviceResponse)
def post_device(
    body: DeviceIn, admin: AdminUser, db: Annotated[Store, Depends(get_db)]
) -> DeviceResponse:
    device = _write(db, upsert_device, device_id=body.device_id, vehicle=body.vehicle)
    log_event(log, logging.INFO, "device_saved", by=admin.username, device_id=body.device_id)
    return DeviceResponse(server_time=server_time(), device=DeviceOut.model_validate(device))


@router.post("/assignments", response_model=AssignmentResponse)
def post_assignment(
    body: AssignmentIn, admin: AdminUser, db: Annotated[Store, Depends(get_db)]
) -> AssignmentResponse:
    request = AssignmentRequest(
        date=body.date,
        operator=body.operator,
        device_id=body.device_id,
        route_id=body.route_id,
        vehicle=body.vehicle,
        assignment_id=body.id,
    )
    saved = _write(db, assign, request)
    log_event(
        log, logging.INFO, "assignment_saved", by=admin.username, id=saved["id"], v=saved["version"]
    )
    return AssignmentResponse(
        server_time=server_time(), assignment=AssignmentSummary.model_validate(saved)
    )


@router.delete("/assignments/{assignment_id}", response_model=DeletedResponse)
def delete_assignment_endpoint(
    assignment_id: Annotated[str, _NAME],
    admin: AdminUser,
    db: Annotated[Store, Depends(get_db)],
) -> DeletedResponse:
    _write(db, unassign, assignment_id)
    log_event(log, logging.INFO, "assignment_deleted", by=admin.username, id=assignment_id)
    return DeletedResponse(server_time=server_time(), deleted=assignment_id)
