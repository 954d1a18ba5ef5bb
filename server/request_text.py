"""Text a request may carry: anything but U+0000 (NUL), on every store alike.

PostgreSQL's `text` cannot hold U+0000 while SQLite's can: a NUL that reached a column
was stored on SQLite and answered 500 on PostgreSQL. It is refused where it enters
instead, 422 on both stores: in JSON bodies (`nul_in_body`, called as the body is read)
and in path and query parameters (`refuse_nul_in_url`). A fact's `payload` may carry
it: it is stored as JSON text, where U+0000 stays the escape `\\u0000` on any store.
"""

from __future__ import annotations

import json
from typing import Any, Final

from fastapi import Request, status

from server.errors import ApiError

NUL: Final = "\x00"
REFUSED: Final = "text cannot contain U+0000 (NUL)"
# JSON can only spell U+0000 inside a string as this escape (a raw control character is
# malformed JSON): a body without these bytes needs no parsing here, the hot push path
# pays one substring search.
_ESCAPE: Final = b"\\u0000"
_FREE_JSON: Final = "payload"


def nul_in_body(body: bytes) -> str | None:
    """Where U+0000 sits in a JSON body outside a payload (`body.events.3.type`), or None."""
    if _ESCAPE not in body:
        return None
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None  # answered as malformed when the route parses it
    pending: list[tuple[str, Any]] = [("body", document)]
    while pending:  # iterative: a hostile body may nest deeper than the recursion limit
        where, value = pending.pop()
        if isinstance(value, str) and NUL in value:
            return where
        if isinstance(value, dict):
            for key, item in value.items():
                if NUL in key:
                    return where
                if key != _FREE_JSON:
                    pending.append((f"{where}.{key}", item))
        elif isinstance(value, list):
            pending.extend((f"{where}.{n}", item) for n, item in enumerate(value))
    return None


def refuse_nul_in_url(request: Request) -> None:
    """An app-wide dependency: 422 for U+0000 in a path or query parameter (module doc)."""
    for name, value in (*request.path_params.items(), *request.query_params.multi_items()):
        if NUL in name or NUL in str(value):
            raise ApiError(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{name}: {REFUSED}")
