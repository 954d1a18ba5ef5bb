"""Shedding load: past a number of sync requests in flight, answer 503 + Retry-After.

Queueing without bound makes every tablet's request slow and then time out, which the
tablets retry, which makes it worse. A bounded number of pushes and pulls are served
at once; a bounded number more wait, in arrival order, for at most a short time (a
burst, such as every tablet of a shift pushing in the same second, is absorbed instead
of being sent away for seconds); the rest get `503` with `Retry-After` (SYNC.md,
"temporary failure"), which the tablet's backoff honours as a floor. Pure ASGI: waiting
costs a future on the event loop, not a thread.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from server.clock import server_time

GUARDED_PREFIX = "/api/v1/sync/"


class InflightLimit:
    """A counter of guarded requests in flight, with a bounded line of waiters
    (thread-safe: a slot may be released from any thread)."""

    def __init__(self, limit: int, queue_max: int = 0, wait_s: float = 0.0) -> None:
        self.limit = limit
        self.queue_max = queue_max
        self.wait_s = wait_s
        self._inflight = 0
        self._lock = threading.Lock()
        self._waiters: deque[asyncio.Future[None]] = deque()

    def try_acquire(self) -> bool:
        with self._lock:
            if self._inflight >= self.limit:
                return False
            self._inflight += 1
            return True

    async def acquire(self) -> bool:
        """A slot now, or after waiting in line at most `wait_s`; False if the line is
        full or the wait ran out."""
        with self._lock:
            if self._inflight < self.limit:
                self._inflight += 1
                return True
            if len(self._waiters) >= self.queue_max or self.wait_s <= 0:
                return False
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter, self.wait_s)
        except TimeoutError:
            with self._lock:
                if waiter in self._waiters:  # not granted: simply leave the line
                    self._waiters.remove(waiter)
            # If a grant was already on its way, `_grant` sees the cancelled waiter and
            # passes the slot on.
            return False
        return True

    def release(self) -> None:
        """Give the slot to the first waiter in line, or free it."""
        with self._lock:
            if not self._waiters:
                self._inflight -= 1
                return
            waiter = self._waiters.popleft()  # the slot moves to it: count unchanged
        try:
            waiter.get_loop().call_soon_threadsafe(self._grant, waiter)
        except RuntimeError:  # its loop is gone: nobody will take the slot
            self.release()

    def _grant(self, waiter: asyncio.Future[None]) -> None:
        if waiter.done():  # it gave up meanwhile
            self.release()
        else:
            waiter.set_result(None)

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
        if not await self.limit.acquire():
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
