"""The supervisor's live feed: Server-Sent Events over httpx, parsed by httpx-sse.

`open_stream` yields events from `GET /api/v1/stream` until the server ends the stream
or the connection drops (the caller falls back to polling and retries). Parsing is
httpx-sse's, which keeps a line ending split across two network reads as one; an event
that carries no data is not dispatched, as the WHATWG event-stream rules say.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
from httpx_sse import ServerSentEvent, aconnect_sse

SseEvent = ServerSentEvent


async def open_stream(
    client: httpx.AsyncClient,
    token: str,
    *,
    path: str = "/api/v1/stream",
    params: dict[str, Any] | None = None,
) -> AsyncIterator[SseEvent]:
    """Events from the stream; raises `httpx.HTTPStatusError` for a refusal (401/403) or
    a reply that is not an event stream (a captive portal, a proxy's login page)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with aconnect_sse(client, "GET", path, headers=headers, params=params) as source:
        response = source.response
        if response.status_code != 200:
            await response.aread()
            response.raise_for_status()
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            raise httpx.HTTPStatusError(
                "not an event stream", request=response.request, response=response
            )
        async for event in source.aiter_sse():
            if event.data:
                yield event
