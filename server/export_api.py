"""`GET /api/v1/export/{kind}?format=csv|geojson`: progress, exceptions, feedback."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from server.auth import StaffUser
from server.clock import local_today
from server.dbapi import Store
from server.deps import get_db
from server.export import export
from server.schemas import ErrorResponse

router = APIRouter(
    prefix="/api/v1/export",
    tags=["supervision"],
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)
_MEDIA = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


@router.get(
    "/{kind}",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "application/geo+json": {}}}},
)
def export_data(
    kind: Annotated[Literal["progress", "exceptions", "feedback"], Path()],
    _: StaffUser,
    db: Annotated[Store, Depends(get_db)],
    format: Annotated[Literal["csv", "geojson"], Query()] = "csv",
) -> Response:
    with db.read() as conn:
        text = export(conn, kind, format)
    name = f"sweepline-{kind}-{local_today().isoformat()}.{format}"
    return Response(
        text,
        media_type=_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
