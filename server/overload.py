"""Shedding load: past a number of sync requests in flight, answer 503 + Retry-After.

Queueing without bound makes every tablet's request slow and then time out, which the
tablets retry, which makes it worse. A bounded number of pushes and pulls are served
at once; the rest get an immediate `503` with `Retry-After` (SYNC.md, "temporary
failure"), which the tablet's backoff honours as a floor. Pure ASGI, so it costs one
counter per request.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from server.clock import server_time

GUARDED_PREFIX = "/api/v1/sync/"


class InflightLimit:
    """A counter of guarded requests in flight (thread-safe: sync handlers use threads)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._inflight = 0
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        with self._lock:
            if self._inflight >= self.limit:
                return False
            self._inflight += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._inflight -= 1

    @property
    def inflight(self) -> int:
        return self._inflight


class OverloadMiddleware:
    def __init__(self, app: ASGIApp, limit: InflightLimit, retry_after_s: int) -> None:
        self.app = app
        self.limit = limit
        self.retry_after_s = retry_after_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(GUARDED_PREFIX):
            await self.app(scope, receive, send)
            return
        if not self.limit.try_acquire():
            await self._reject(send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.limit.release()

    async def _reject(self, send: Send) -> None:
        body = json.dumps(
            {"detail": "the server is overloaded, try again later", "server_time": server_time()}
        ).encode()
        headers: list[tuple[bytes, bytes]] = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(self.retry_after_s).encode()),
        ]
        start: dict[str, Any] = {"type": "http.response.start", "status": 503, "headers": headers}
        await send(start)
        await send({"type": "http.response.body", "body": body})
