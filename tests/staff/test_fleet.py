"""The supervisor core on the real server: staff calls, the live feed from the stream,
polling while the stream is refused, delayed vehicles, reconnecting after an outage."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from client.errors import ServerRefused
from client.transport import SwitchableTransport
from server.embedded import EmbeddedServer
from staff.api import SupervisorApi
from staff.fleet import FeedChange, FleetFeed, parse_time
from tests.server.helpers import event, fix_batch, login, push, today_assignment


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    embedded = EmbeddedServer(tmp_path / "server.sqlite", seed_demo=True)
    embedded.start()
    yield embedded
    embedded.stop()


async def _until(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(0.02)


def _operator_push(url: str, events: list[dict[str, object]], stream: str = "events") -> None:
    with httpx.Client(base_url=url, timeout=10) as http:
        auth = login(http)
        response = push(http, auth, str(uuid.uuid4()), events, stream=stream)
        assert response.status_code == 200, response.text


def test_staff_calls(server: EmbeddedServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        assignment = today_assignment(http, login(http))

    async def scenario() -> None:
        api = SupervisorApi(server.url)
        try:
            await api.login("supervisor", "sweep-super")
            fleet = await api.fleet()
            assert [v["device_id"] for v in fleet["vehicles"]] == ["demo-tablet-1"]
            progress = await api.progress()
            assert {r["route_id"] for r in progress} >= {assignment["route"]["id"]}
            history = await api.history(assignment["route"]["id"])
            assert history
            assert all(s["passes"] == 0 for s in history)
            assert await api.feedback(operator="demo") == []
            metrics = await api.metrics()
            assert len(metrics["completion"]) == 14
            sent = await api.send_message("<b>Come back</b> & see", "demo")
            assert sent["recipients"][0]["username"] == "demo"
            listed = await api.messages()
            assert listed[0]["text"] == "<b>Come back</b> & see"
            assert listed[0]["recipients"][0]["acked_at"] is None
            moved = await api.reassign(assignment["id"], "demo-tablet-1", vehicle="Sweeper 99")
            assert moved["version"] == assignment["version"] + 1
            assert moved["vehicle"] == "Sweeper 99"
            rows = list(csv.DictReader(io.StringIO((await api.export("progress", "csv")).decode())))
            assert {r["route_id"] for r in rows} >= {assignment["route"]["id"]}
            geo = json.loads(await api.export("exceptions", "geojson"))
            assert geo == {"type": "FeatureCollection", "features": []}
            with pytest.raises(ServerRefused):
                await api.reassign("no-such-assignment", "demo-tablet-1")
            with pytest.raises(ValueError, match="unknown export"):
                await api.export("secrets", "csv")
        finally:
            await api.aclose()

    asyncio.run(scenario())


def test_an_expired_token_is_renewed(server: EmbeddedServer) -> None:
    async def scenario() -> None:
        api = SupervisorApi(server.url)
        try:
            await api.login("supervisor", "sweep-super")
            api.token = "expired"
            assert (await api.fleet())["vehicles"]
            assert api.token != "expired"
            api.token = "expired"
            assert (await api.export("progress", "csv")).startswith(b"route_id,")
        finally:
            await api.aclose()

    asyncio.run(scenario())


def test_feed_streams_positions_and_feedback(server: EmbeddedServer) -> None:
    now_ms = time.time() * 1000
    fixes = [[now_ms + i * 1000, 43.4711 + i * 1e-5, -80.5241, 2.5, 90.0, 4.0] for i in range(3)]

    async def scenario() -> None:
        api = SupervisorApi(server.url)
        feed = FleetFeed(api, stale_after_s=30, heartbeat_s=0.5)
        changes: list[FeedChange] = []
        feed.subscribe(changes.append)
        try:
            await api.login("supervisor", "sweep-super")
            feed.start()
            await _until(lambda: feed.stream_up, 10)
            assert list(feed.vehicles) == ["demo-tablet-1"]
            assert not feed.is_live("demo-tablet-1"), "never heard from: delayed"
            pushed = time.time()
            await asyncio.to_thread(_operator_push, server.url, [fix_batch(1, fixes)], "gps")
            await _until(lambda: "demo-tablet-1" in feed.position_seen_at, 5)
            assert feed.position_seen_at["demo-tablet-1"] - pushed < 2.0
            fix = feed.vehicles["demo-tablet-1"].last_fix
            assert fix is not None
            assert (fix.lat, fix.lon) == (pytest.approx(43.47112), pytest.approx(-80.5241))
            assert feed.is_live("demo-tablet-1")
            note = event(1, "note", {"text": "=cmd|' /C calc'!A0"}, device_time=None)
            await asyncio.to_thread(_operator_push, server.url, [note])
            await _until(lambda: bool(feed.recent_feedback), 5)
            assert feed.recent_feedback[0]["payload"]["text"] == "=cmd|' /C calc'!A0"
            assert {c.kind for c in changes} >= {"connection", "fleet", "vehicle", "feedback"}
        finally:
            await feed.aclose()
            await api.aclose()
        assert not feed.stream_up

    asyncio.run(scenario())


def test_feed_polls_while_the_stream_is_refused(server: EmbeddedServer) -> None:
    """The stream's own connection is cut; the fleet still arrives by polling."""

    async def scenario() -> None:
        api = SupervisorApi(server.url)
        cut = SwitchableTransport()
        cut.enabled = False
        feed = FleetFeed(
            api, poll_interval_s=0.1, first_backoff_s=0.2, max_backoff_s=0.4, transport=cut
        )
        try:
            await api.login("supervisor", "sweep-super")
            feed.start()
            await _until(lambda: feed.polls >= 3, 10)
            assert list(feed.vehicles) == ["demo-tablet-1"]
            assert not feed.stream_up
            assert feed.delayed() == ["demo-tablet-1"]
            assert feed.last_error is not None
            assert "dropped" in feed.last_error
            cut.enabled = True
            await _until(lambda: feed.stream_up, 10)
        finally:
            await feed.aclose()
            await cut.aclose()
            await api.aclose()

    asyncio.run(scenario())


def test_feed_reconnects_after_a_server_outage(server: EmbeddedServer) -> None:
    async def scenario() -> None:
        api = SupervisorApi(server.url)
        feed = FleetFeed(
            api, poll_interval_s=0.1, first_backoff_s=0.2, max_backoff_s=0.5, heartbeat_s=0.2
        )
        try:
            await api.login("supervisor", "sweep-super")
            feed.start()
            await _until(lambda: feed.stream_up, 10)
            await asyncio.to_thread(server.stop)
            await _until(lambda: not feed.stream_up, 10)
            assert feed.delayed() == ["demo-tablet-1"]
            await asyncio.to_thread(server.start)
            await _until(lambda: feed.stream_up and feed.streams_opened >= 2, 15)
        finally:
            await feed.aclose()
            await api.aclose()

    asyncio.run(scenario())


def test_parse_time() -> None:
    assert parse_time("1970-01-01T00:00:10Z") == 10.0
    assert parse_time("1970-01-01T00:00:10.500+00:00") == 10.5
    assert parse_time("yesterday") is None
    assert parse_time(None) is None
