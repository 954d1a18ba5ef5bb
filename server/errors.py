"""Error answers in one shape: `{"detail": "<plain words>", "server_time"}` with a 4xx.

Domain modules raise `ApiError` without knowing about FastAPI; the handlers installed by
`install_error_handlers` also reshape FastAPI's own validation errors, map a busy
database to 503 + Retry-After (a temporary failure the tablet retries), and turn a body
that declares another protocol version into 426 "update required" even when the rest of
it no longer matches this server's schema.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.clock import server_time
from server.logs import log_event
from wire.protocol import PROTOCOL_VERSION

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


def update_required(sent: object) -> ApiError:
    return ApiError(
        status.HTTP_426_UPGRADE_REQUIRED,
        f"update required: this server speaks protocol {PROTOCOL_VERSION}, the request "
        f"used protocol {sent!r}",
    )


CLIENT_VERSION_HEADER = "X-Sweepline-Version"


def _version_key(text: str) -> tuple[int, ...] | None:
    parts = text.strip().split(".")
    if not parts or not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


def check_client_version(sent: str | None, minimum: str) -> None:
    """426 "update required" when a minimum is set and the tablet is older (or unknown)."""
    if not minimum:
        return
    wanted, have = _version_key(minimum), _version_key(sent or "")
    if wanted is not None and (have is None or have < wanted):
        raise ApiError(
            status.HTTP_426_UPGRADE_REQUIRED,
            f"update required: this server needs Sweepline {minimum} or newer, the tablet "
            f"runs {sent or 'an unknown version'}",
        )


def error_response(
    status_code: int, detail: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"detail": detail, "server_time": server_time()},
        status_code=status_code,
        headers=dict(headers) if headers else None,
    )


def _describe(errors: Any) -> str:
    parts: list[str] = []
    for error in list(errors)[:5]:
        loc = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        msg = str(error.get("msg", "invalid"))
        ctx = error.get("ctx") or {}
        if error.get("type") == "json_invalid" and "error" in ctx:
            msg = f"malformed JSON ({ctx['error']})"
            loc = f"body at character {error['loc'][-1]}" if error.get("loc") else "body"
        parts.append(f"{loc}: {msg}")
    return "invalid request: " + "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    async def on_api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc.status_code, exc.detail)

    async def on_http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return error_response(exc.status_code, str(exc.detail), exc.headers)

    async def on_validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        body = exc.body
        if isinstance(body, dict) and "protocol" in body and body["protocol"] != PROTOCOL_VERSION:
            error = update_required(body["protocol"])
            return error_response(error.status_code, error.detail)
        if isinstance(body, bytes | str) and body:
            detail = "request body must be JSON sent with Content-Type: application/json"
        else:
            detail = _describe(exc.errors())
        return error_response(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)

    async def on_database_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, sqlite3.OperationalError)
        text = str(exc).lower()
        if "locked" in text or "busy" in text or "full" in text:
            log_event(log, logging.INFO, "database_busy", error=str(exc))
            return error_response(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                "the server is busy, try again shortly",
                {"Retry-After": "1"},
            )
        raise exc

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(sqlite3.OperationalError, on_database_error)


def install_store_unavailable(app: FastAPI, errors: tuple[type[Exception], ...]) -> None:
    """Answer 503 + Retry-After when the database server cannot be reached (PostgreSQL
    restarting, every pooled connection busy past its timeout): nothing was stored, and
    the tablet retries as after any temporary failure."""

    async def on_unavailable(_: Request, exc: Exception) -> JSONResponse:
        log_event(log, logging.WARNING, "database_unavailable", error=str(exc))
        return error_response(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "the database is unavailable, try again shortly",
            {"Retry-After": "2"},
        )

    for error in errors:
        app.add_exception_handler(error, on_unavailable)
