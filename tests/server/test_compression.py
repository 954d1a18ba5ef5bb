"""Compressed answers from the real server process (`python -m server`): gzip when the
client asks for it and the answer is large, the same content once inflated, never for
small answers, a client that does not ask, or the live stream; and the tablet's and the
supervisor's clients ask for it and read it."""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from client.api import ApiClient
from staff.api import SupervisorApi
from tests.helpers.server_process import free_port
from tests.server.conftest import NewStore
from tests.server.helpers import DEMO_LOGIN, SUPERVISOR_LOGIN, login
from tests.server.test_kill9 import start_server_process
from wire.protocol import PROTOCOL_VERSION

CLIENT_ID = "9d5a4a4e-6f0e-4a57-9d55-3f1f1c1e0c01"


@pytest.fixture(scope="module")
def url(new_store: NewStore) -> Iterator[str]:
    port = free_port()
    proc: subprocess.Popen[bytes] = start_server_process(new_store(), port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _raw(
    http: httpx.Client, method: str, path: str, encoding: str, **kwargs: Any
) -> tuple[httpx.Response, bytes]:
    """The answer and its body exactly as it came over the wire (not inflated)."""
    headers = {**kwargs.pop("headers", {}), "Accept-Encoding": encoding}
    with http.stream(method, path, headers=headers, **kwargs) as response:
        return response, b"".join(response.iter_raw())


def test_large_answers_are_gzipped_with_the_same_content(url: str) -> None:
    with httpx.Client(base_url=url, timeout=10) as http:
        sup = login(http, SUPERVISOR_LOGIN)
        path = "/api/v1/export/progress?format=geojson"
        plain, plain_body = _raw(http, "GET", path, "identity", headers=sup)
        packed, packed_body = _raw(http, "GET", path, "gzip", headers=sup)
        assert "content-encoding" not in plain.headers
        assert packed.headers["content-encoding"] == "gzip"
        assert "accept-encoding" in packed.headers["vary"].lower()
        assert gzip.decompress(packed_body) == plain_body
        assert len(packed_body) * 3 < len(plain_body)

        body = {"protocol": PROTOCOL_VERSION, "client_id": CLIENT_ID, "cursor": None}
        _, pull_plain = _raw(http, "POST", "/api/v1/sync/pull", "identity", json=body, headers=sup)
        pulled, pull_packed = _raw(
            http, "POST", "/api/v1/sync/pull", "gzip", json=body, headers=sup
        )
        assert pulled.headers["content-encoding"] == "gzip"
        inflated, plain_pull = json.loads(gzip.decompress(pull_packed)), json.loads(pull_plain)
        assert inflated.pop("server_time") >= plain_pull.pop("server_time")
        assert inflated == plain_pull


def test_small_answers_and_the_live_stream_go_out_as_they_are(url: str) -> None:
    with httpx.Client(base_url=url, timeout=10) as http:
        health, _ = _raw(http, "GET", "/api/v1/health", "gzip")
        assert "content-encoding" not in health.headers
        sup = login(http, SUPERVISOR_LOGIN)
        stream, events = _raw(http, "GET", "/api/v1/stream?max_s=0.3", "gzip", headers=sup)
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in stream.headers
        assert b"event:" in events


class RecordingTransport(httpx.AsyncHTTPTransport):
    """The real HTTP transport, noting each request's and answer's headers."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[httpx.Headers, httpx.Headers]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        self.seen.append((request.headers, response.headers))
        return response


def test_the_tablet_and_supervisor_clients_ask_for_gzip_and_read_it(url: str) -> None:
    async def scenario() -> tuple[dict[str, Any], bytes, RecordingTransport, RecordingTransport]:
        tablet_wire, desk_wire = RecordingTransport(), RecordingTransport()
        tablet = ApiClient(url, transport=tablet_wire)
        desk = SupervisorApi(url, transport=desk_wire)
        try:
            await tablet.login(DEMO_LOGIN["username"], DEMO_LOGIN["password"], "demo-tablet-1")
            pulled = await tablet.pull(CLIENT_ID, None)
            await desk.login(SUPERVISOR_LOGIN["username"], SUPERVISOR_LOGIN["password"])
            exported = await desk.export("progress", "geojson")
        finally:
            await tablet.aclose()
            await desk.aclose()
        return pulled, exported, tablet_wire, desk_wire

    pulled, exported, tablet_wire, desk_wire = asyncio.run(scenario())
    with httpx.Client(base_url=url, timeout=10) as http:
        auth = login(http, DEMO_LOGIN)
        body = {"protocol": PROTOCOL_VERSION, "client_id": CLIENT_ID, "cursor": None}
        _, plain = _raw(http, "POST", "/api/v1/sync/pull", "identity", json=body, headers=auth)
        sup = login(http, SUPERVISOR_LOGIN)
        _, export_plain = _raw(
            http, "GET", "/api/v1/export/progress?format=geojson", "identity", headers=sup
        )
    assert pulled["changes"] == json.loads(plain)["changes"]
    assert exported == export_plain
    for wire in (tablet_wire, desk_wire):
        assert all(sent["accept-encoding"] == "gzip" for sent, _ in wire.seen)
        assert any(got.get("content-encoding") == "gzip" for _, got in wire.seen)
