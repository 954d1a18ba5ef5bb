"""Request bodies read with hard limits, and gzip bodies inflated with a cap.

The tablet compresses push batches; a hostile or broken client could send a tiny gzip
that inflates to gigabytes. The body is read in chunks up to a cap and inflated with
`max_length`, so either limit answers 413 before memory is spent. Text no store could
hold alike (U+0000, server.request_text) is refused here too. Installed as the
routers' route class, so handlers keep ordinary Pydantic body parameters (and the
OpenAPI document keeps describing them).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response, status
from fastapi.routing import APIRoute

from server.request_text import REFUSED, nul_in_body
from server.settings import Settings

_CHUNK = 64 * 1024


def _too_large(what: str, limit: int) -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE, f"{what} is larger than the limit of {limit} bytes"
    )


def inflate_gzip(data: bytes, limit: int) -> bytes:
    """Inflate one gzip member; 413 past `limit` bytes, 400 if it is not valid gzip."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
        if len(out) > limit or inflater.unconsumed_tail:
            raise _too_large("inflated request body", limit)
        out += inflater.flush()
    except zlib.error as exc:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"request body is not valid gzip: {exc}"
        ) from exc
    if len(out) > limit:
        raise _too_large("inflated request body", limit)
    if not inflater.eof:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "gzip request body is truncated")
    return out


class LimitedBodyRequest(Request):
    """A request whose `body()` enforces the size caps and undoes `Content-Encoding: gzip`."""

    async def body(self) -> bytes:
        if not hasattr(self, "_limited_body"):
            settings: Settings = self.app.state.settings
            declared = self.headers.get("content-length")
            limit = settings.max_body_bytes
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise _too_large("request body", settings.max_body_bytes)
            chunks: list[bytes] = []
            size = 0
            async for chunk in self.stream():
                size += len(chunk)
                if size > settings.max_body_bytes:
                    raise _too_large("request body", settings.max_body_bytes)
                chunks.append(chunk)
            raw = b"".join(chunks)
            encoding = self.headers.get("content-encoding", "identity").strip().lower()
            if encoding == "gzip":
                raw = inflate_gzip(raw, settings.max_inflated_bytes)
            elif encoding not in {"", "identity"}:
                raise HTTPException(
                    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                    f"unsupported Content-Encoding {encoding!r}: send gzip or identity",
                )
            where = nul_in_body(raw)
            if where is not None:
                raise HTTPException(
                    status.HTTP_422_UNPROCESSABLE_CONTENT, f"invalid request: {where}: {REFUSED}"
                )
            self._limited_body = raw
        return self._limited_body


class LimitedBodyRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited_handler(request: Request) -> Response:
            return await handler(LimitedBodyRequest(request.scope, request.receive))

        return limited_handler
