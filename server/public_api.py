"""`GET /api/v1/public/streets`: the public service feed (no login, rate-limited,
delayed by `Settings.public_delay_hours`; see docs/api.md, "Public service data")."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from server.clock import utc_now
from server.db import Database
from server.deps import get_db
from server.public_streets import public_streets
from server.rate_limit import RateLimit
from server.schemas import ErrorResponse
from server.settings import Settings

router = APIRouter(prefix="/api/v1/public", tags=["public"])
_limit_lock = threading.Lock()


def _limit(request: Request, settings: Settings) -> RateLimit:
    """The app's one public-feed limit (made on first use, from its settings)."""
    state = request.app.state
    with _limit_lock:
        limit: RateLimit | None = getattr(state, "public_rate_limit", None)
        if limit is None:
            limit = RateLimit(settings.public_requests_per_minute)
            state.public_rate_limit = limit
    return limit


@router.get(
    "/streets",
    response_class=JSONResponse,
    responses={
        200: {"content": {"application/geo+json": {}}},
        429: {"model": ErrorResponse, "description": "Too many requests from this address."},
    },
)
def streets(request: Request, db: Annotated[Database, Depends(get_db)]) -> JSONResponse:
    """Every street segment with the day each curb side was last swept, delayed."""
    settings: Settings = request.app.state.settings
    address = request.client.host if request.client is not None else "unknown"
    wait = _limit(request, settings).take(address)
    if wait > 0:
        raise HTTPException(
            429,
            f"more than {settings.public_requests_per_minute} requests a minute from this "
            "address; try again later",
            headers={"Retry-After": RateLimit.retry_after(wait)},
        )
    with db.read() as conn:
        body = public_streets(conn, utc_now(), settings.public_delay_hours)
    return JSONResponse(
        body,
        media_type="application/geo+json",
        headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"},
    )
