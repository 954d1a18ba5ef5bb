"""The tablet's outbox depth (`waiting`) rides on each push: the fleet shows the latest
report per device, the stream's `sync` and `position` events carry it, and bad counts
are refused."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest

from server.embedded import EmbeddedServer
from staff.sse import SseEvent, open_stream
from tests.server.helpers import SUPERVISOR_LOGIN, event, fix_batch, login, push_body


def _push(
    http: httpx.Client,
    auth: dict[str, str],
    client_id: str,
    events: list[dict[str, object]],
    waiting: object,
    stream: str = "events",
) -> httpx.Response:
    body = {**push_body(client_id, events, stream=stream), "waiting": waiting}
    return http.post("/api/v1/sync/push", json=body, headers=auth)


def _fleet_waiting(http: httpx.Client) -> object:
    fleet = http.get("/api/v1/fleet", headers=login(http, SUPERVISOR_LOGIN)).json()
    (vehicle,) = [v for v in fleet["vehicles"] if v["device_id"] == "demo-tablet-1"]
    return vehicle["waiting"]


def test_fleet_shows_the_latest_reported_waiting(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    assert _fleet_waiting(http) is None  # never reported
    r = _push(http, auth, client_id, [event(1, "note", {"text": "a"})], {"events": 7, "gps": 40})
    assert r.status_code == 200, r.text
    waiting = _fleet_waiting(http)
    assert isinstance(waiting, dict)
    assert (waiting["events"], waiting["gps"]) == (7, 40)
    assert waiting["reported_at"]
    # The next push replaces it; a push without the field leaves the last report alone.
    r = _push(http, auth, client_id, [event(2, "note", {"text": "b"})], {"events": 0, "gps": 3})
    assert r.status_code == 200, r.text
    r = http.post(
        "/api/v1/sync/push",
        json=push_body(client_id, [event(3, "note", {"text": "c"})]),
        headers=auth,
    )
    assert r.status_code == 200, r.text
    waiting = _fleet_waiting(http)
    assert isinstance(waiting, dict)
    assert (waiting["events"], waiting["gps"]) == (0, 3)


@pytest.mark.parametrize(
    "waiting",
    [{"events": -1, "gps": 0}, {"events": 0, "gps": 10**9}, {"events": "many"}, [1, 2]],
)
def test_bad_waiting_is_refused(
    http: httpx.Client, auth: dict[str, str], client_id: str, waiting: object
) -> None:
    r = _push(http, auth, client_id, [], waiting)
    assert r.status_code == 422, r.text
    assert "waiting" in r.json()["detail"]


def test_stream_events_carry_waiting(
    server: EmbeddedServer, http: httpx.Client, auth: dict[str, str]
) -> None:
    token = login(http, SUPERVISOR_LOGIN)["Authorization"].split()[1]
    client_id = str(uuid.uuid4())
    now_ms = int(time.time() * 1000)
    fixes = [[now_ms + i * 1000, 43.47, -80.52, 3.0, 90.0, 4.0] for i in range(2)]

    async def collect() -> list[SseEvent]:
        seen: list[SseEvent] = []
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            async with asyncio.timeout(10):
                async for ev in open_stream(client, token, params={"heartbeat": 0.2}):
                    seen.append(ev)
                    if {"position", "sync"} <= {e.event for e in seen}:
                        break
        return seen

    async def scenario() -> list[SseEvent]:
        task = asyncio.create_task(collect())
        await asyncio.sleep(0.5)
        r = await asyncio.to_thread(
            _push, http, auth, client_id, [fix_batch(1, fixes)], {"events": 2, "gps": 5}, "gps"
        )
        assert r.status_code == 200, r.text
        return await task

    events = asyncio.run(scenario())
    for kind in ("position", "sync"):
        data = next(e.json() for e in events if e.event == kind)
        assert (data["waiting"]["events"], data["waiting"]["gps"]) == (2, 5), kind
