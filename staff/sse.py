"""A small Server-Sent Events reader over httpx streaming (the supervisor's live feed).

Parses the `text/event-stream` format (event, data, id, retry fields; comment lines;
multi-line data) as the WHATWG spec describes, incrementally, from any iterable of text
chunks. `open_stream` yields `SseEvent`s from `GET /api/v1/stream` until the server
ends the stream or the connection drops (the caller falls back to polling and retries).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True, slots=True)
class SseEvent:
    event: str
    data: str
    id: str | None = None

    def json(self) -> Any:
        return json.loads(self.data)


class SseParser:
    """Feed text chunks; get complete events back."""

    def __init__(self) -> None:
        self._buffer = ""
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None
        self.last_event_id: str | None = None
        self.retry_ms: int | None = None

    def feed(self, chunk: str) -> list[SseEvent]:
        self._buffer += chunk.replace("\r\n", "\n").replace("\r", "\n")
        out: list[SseEvent] = []
        while "\n" in self._buffer:
            line, self._buffer = self._buffer.split("\n", 1)
            event = self._line(line)
            if event is not None:
                out.append(event)
        return out

    def _line(self, line: str) -> SseEvent | None:
        if line == "":
            if not self._data:
                self._event = ""
                return None
            event = SseEvent(self._event or "message", "\n".join(self._data), self._id)
            self._event, self._data = "", []
            return event
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id" and "\0" not in value:
            self._id = value
            self.last_event_id = value
        elif name == "retry" and value.isdigit():
            self.retry_ms = int(value)
        return None


async def open_stream(
    client: httpx.AsyncClient,
    token: str,
    *,
    path: str = "/api/v1/stream",
    params: dict[str, Any] | None = None,
) -> AsyncIterator[SseEvent]:
    """Events from the stream; raises `httpx.HTTPStatusError` for a refusal (401/403)."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    parser = SseParser()
    async with client.stream("GET", path, headers=headers, params=params) as response:
        if response.status_code != 200:
            await response.aread()
            response.raise_for_status()
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            raise httpx.HTTPStatusError(
                "not an event stream", request=response.request, response=response
            )
        async for chunk in response.aiter_text():
            for event in parser.feed(chunk):
                yield event
