"""Street evidence and the daily pilot report (staff only), as JSON or as one printable
HTML page in English or French (`lang`):

- `GET /api/v1/evidence/{route_id}/{segment_id}?format=json|html&lang=en|fr`
- `GET /api/v1/reports/daily?date=YYYY-MM-DD&format=json|html&lang=en|fr` (default today)
"""

from __future__ import annotations

from datetime import date as date_type
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response

from server.auth import StaffUser
from server.clock import local_today, server_time
from server.db import Database
from server.deps import get_db
from server.errors import ApiError
from server.evidence import segment_evidence
from server.evidence_page import evidence_html
from server.report import daily_report
from server.report_page import report_html
from server.schemas import ErrorResponse

router = APIRouter(
    prefix="/api/v1",
    tags=["supervision"],
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)
_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "text/html": {}}}
}
Format = Annotated[Literal["json", "html"], Query()]
Lang = Annotated[Literal["en", "fr"], Query()]


def _answer(data: dict[str, Any], fmt: str, html: str | None, name: str) -> Response:
    if fmt == "json":
        return JSONResponse({"server_time": server_time(), **data})
    assert html is not None
    return HTMLResponse(html, headers={"Content-Disposition": f'inline; filename="{name}.html"'})


@router.get(
    "/evidence/{route_id}/{segment_id}",
    response_class=Response,
    responses={**_CONTENT, 404: {"model": ErrorResponse}},
)
def evidence(
    route_id: Annotated[str, Path(min_length=1, max_length=128)],
    segment_id: Annotated[str, Path(min_length=1, max_length=128)],
    _: StaffUser,
    db: Annotated[Database, Depends(get_db)],
    format: Format = "html",
    lang: Lang = "en",
) -> Response:
    """One segment's sweeps (side, vehicle, operator, passes, speeds, rule) and exceptions."""
    with db.read() as conn:
        data = segment_evidence(conn, route_id, segment_id)
    if data is None:
        raise ApiError(404, f"no segment {segment_id!r} on route {route_id!r}")
    html = evidence_html(data, lang) if format == "html" else None
    return _answer(data, format, html, f"sweepline-evidence-{route_id}-{segment_id}")


@router.get(
    "/reports/daily",
    response_class=Response,
    responses={**_CONTENT, 422: {"model": ErrorResponse}},
)
def daily(
    _: StaffUser,
    db: Annotated[Database, Depends(get_db)],
    date: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    format: Format = "html",
    lang: Lang = "en",
) -> Response:
    """The day's one-page pilot report (default: today)."""
    try:
        day = date_type.fromisoformat(date).isoformat() if date else local_today().isoformat()
    except ValueError:
        raise ApiError(422, f"date {date!r} is not a date (YYYY-MM-DD)") from None
    with db.read() as conn:
        data = daily_report(conn, day)
    html = report_html(data, lang) if format == "html" else None
    return _answer(data, format, html, f"sweepline-report-{day}")
