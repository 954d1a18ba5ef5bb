"""The supervisor's event-stream reader, byte by byte as the network may cut it.

The transport hands over exactly the chunks given, so a line ending split across two
network reads is tested deterministically (the live stream itself is covered against a
real server in tests/server/test_stream.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from staff.sse import SseEvent, open_stream


class _Chunks(httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk


def _events(chunks: list[bytes], content_type: str = "text/event-stream") -> list[SseEvent]:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer t0ken"
        return httpx.Response(200, headers={"content-type": content_type}, stream=_Chunks(chunks))

    async def collect() -> list[SseEvent]:
        transport = httpx.MockTransport(handler)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return [event async for event in open_stream(client, "t0ken")]

    return asyncio.run(collect())


def test_crlf_split_across_two_reads_is_one_line_ending() -> None:
    events = _events([b"event: position\r\ndata: 1\r", b"\ndata: 2\r\n\r\n"])
    assert [(e.event, e.data) for e in events] == [("position", "1\n2")]


def test_fields_comments_and_chunks_of_three_bytes() -> None:
    text = b': hi\r\nretry: 2000\nid: 7\revent: position\ndata: {"a":\ndata: 1}\n\nevent: x\n\n'
    events = _events([text[i : i + 3] for i in range(0, len(text), 3)])
    # An event without data is not dispatched (WHATWG event-stream interpretation).
    assert [(e.event, e.data, e.id, e.retry) for e in events] == [
        ("position", '{"a":\n1}', "7", 2000)
    ]
    assert events[0].json() == {"a": 1}


def test_a_reply_that_is_not_an_event_stream_is_refused() -> None:
    with pytest.raises(httpx.HTTPStatusError, match="not an event stream"):
        _events([b"<html>proxy login</html>"], content_type="text/html")
