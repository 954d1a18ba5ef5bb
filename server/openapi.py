"""The OpenAPI document describes every answer the server gives, errors included.

FastAPI documents a 422 whose `detail` is a list of validation errors, while every
error here answers `{"detail": "<plain words>", "server_time"}` (`server.errors`); and
it does not know that a body which is not UTF-8 JSON or not valid gzip answers 400, an
oversized one 413 and an unknown `Content-Encoding` 415 (`server.body`), nor that the
HTTP layer answers any request that is not valid HTTP with a plain-text 400. The tablet, the
supervisor's client and the schemathesis test all read this document, so it is
corrected once here, for every operation, instead of in each router.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

_ERROR_REF: Final = {"$ref": "#/components/schemas/ErrorResponse"}
_BODY_ERRORS: Final = {
    "413": "The body (or its inflated size) is over the server's limit",
    "415": "The body's Content-Encoding is neither gzip nor identity",
}
# The HTTP layer (uvicorn) answers a request that is not valid HTTP, a malformed header
# say, itself, in plain text, before any route sees it; the server's own 400s are JSON.
_BAD_REQUEST: Final = {
    "description": "Not a valid HTTP request (text/plain, from the HTTP layer), or a body"
    " that is not UTF-8 JSON or not valid gzip",
    "content": {
        "application/json": {"schema": _ERROR_REF},
        "text/plain": {"schema": {"type": "string"}},
    },
}
_INVALID: Final = "The request does not match this document: the detail names what and why"


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR_REF}}}


def correct(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with every operation's error answers in the server's one error shape."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses: dict[str, Any] = operation["responses"]
            responses.setdefault("400", _BAD_REQUEST)
            takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
            if takes_input or "422" in responses:
                responses["422"] = _error(_INVALID)
            if operation.get("requestBody"):
                for status, description in _BODY_ERRORS.items():
                    responses.setdefault(status, _error(description))
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


def describe_every_answer(app: FastAPI) -> None:
    """Serve the corrected document at `/openapi.json` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
            app.openapi_schema = correct(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
