"""`/api/v1/forms`: supervisors and admins define forms; every role can read them
(tablets also receive them through pull)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from server.auth import CurrentUser, StaffUser
from server.body import LimitedBodyRoute
from server.clock import server_time
from server.dbapi import Store
from server.deps import get_db
from server.errors import ApiError
from server.forms import FormDefinitionError, get_form, list_forms, save_form
from server.forms_schemas import FormIn, FormOut, FormResponse, FormsResponse
from server.logs import log_event
from server.schemas import SQLITE_INT_MAX, ErrorResponse

log = logging.getLogger(__name__)

router = APIRouter(
    prefix="/api/v1/forms",
    tags=["forms"],
    route_class=LimitedBodyRoute,
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)


@router.get("", response_model=FormsResponse)
def get_forms(_: CurrentUser, db: Annotated[Store, Depends(get_db)]) -> FormsResponse:
    """The latest version of every form."""
    with db.read() as conn:
        forms = list_forms(conn)
    return FormsResponse(
        server_time=server_time(), forms=[FormOut.model_validate(f) for f in forms]
    )


@router.get("/{form_id}", response_model=FormResponse, responses={404: {"model": ErrorResponse}})
def get_one_form(
    form_id: Annotated[str, Path(min_length=1, max_length=64)],
    _: CurrentUser,
    db: Annotated[Store, Depends(get_db)],
    version: Annotated[int | None, Query(ge=1, le=SQLITE_INT_MAX)] = None,
) -> FormResponse:
    with db.read() as conn:
        form = get_form(conn, form_id, version)
    if form is None:
        raise ApiError(404, f"no form {form_id!r}" + (f" version {version}" if version else ""))
    return FormResponse(server_time=server_time(), form=FormOut.model_validate(form))


@router.post("", response_model=FormResponse, responses={422: {"model": ErrorResponse}})
def post_form(
    body: FormIn, staff: StaffUser, db: Annotated[Store, Depends(get_db)]
) -> FormResponse:
    """Create a form, or a new version of it (an identical definition changes nothing).
    An invalid definition is refused with `422` naming the question at fault."""
    try:
        with db.write() as conn:
            form = save_form(conn, body.definition, staff.username)
    except FormDefinitionError as exc:
        raise ApiError(422, str(exc)) from None
    log_event(log, logging.INFO, "form_saved", by=staff.username, id=form["id"], v=form["version"])
    return FormResponse(server_time=server_time(), form=FormOut.model_validate(form))
