"""The live stream: staff only, a snapshot first, then positions, progress and feedback
from pushes as they are applied; fleet polling; reassignment."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest

from server import admin
from server.embedded import EmbeddedServer
from staff.sse import SseEvent, open_stream
from tests.server.helpers import (
    DEMO_LOGIN,
    SUPERVISOR_LOGIN,
    event,
    fix_batch,
    login,
    pull,
    push,
    today_assignment,
)


def _token(http: httpx.Client) -> str:
    return login(http, SUPERVISOR_LOGIN)["Authorization"].split()[1]


async def _collect(url: str, token: str, until: set[str], limit_s: float) -> list[SseEvent]:
    seen: list[SseEvent] = []
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        async with asyncio.timeout(limit_s):
            async for ev in open_stream(client, token, params={"heartbeat": 0.2}):
                seen.append(ev)
                if until <= {e.event for e in seen}:
                    break
    return seen


def test_stream_delivers_snapshot_then_live_events(
    server: EmbeddedServer, http: httpx.Client, auth: dict[str, str]
) -> None:
    token = _token(http)
    client_id = str(uuid.uuid4())
    assignment = today_assignment(http, auth)
    segment = assignment["route"]["segments"]["features"][0]["id"]
    now_ms = int(time.time() * 1000)
    fixes = [[now_ms + i * 1000, 43.47 + i * 1e-5, -80.52, 3.0, 90.0, 4.0] for i in range(3)]

    async def scenario() -> tuple[list[SseEvent], float]:
        task = asyncio.create_task(
            _collect(server.url, token, {"snapshot", "position", "progress", "feedback"}, 10)
        )
        await asyncio.sleep(0.5)  # the stream is open and subscribed
        sent = time.monotonic()
        await asyncio.to_thread(push, http, auth, client_id, [fix_batch(1, fixes)], stream="gps")
        swept = {
            "assignment_id": assignment["id"],
            "route_id": assignment["route"]["id"],
            "segment_id": segment,
            "covered_fraction": 0.9,
            "source": "inferred",
        }
        await asyncio.to_thread(
            push,
            http,
            auth,
            client_id,
            [event(1, "segment_swept", swept), event(2, "note", {"text": "pothole"})],
        )
        return await task, sent

    events, _ = asyncio.run(scenario())
    kinds = [e.event for e in events]
    assert kinds[0] == "snapshot"
    snapshot = events[0].json()
    assert "demo-tablet-1" in {v["device_id"] for v in snapshot["vehicles"]}
    position = next(e.json() for e in events if e.event == "position")
    assert position["device_id"] == "demo-tablet-1"
    assert position["t_ms"] == fixes[-1][0]
    assert position["lat"] == pytest.approx(fixes[-1][1])
    progress = next(e.json() for e in events if e.event == "progress")
    assert progress["segment_id"] == segment
    feedback = next(e.json() for e in events if e.event == "feedback")
    assert feedback["payload"]["text"] == "pothole"


def test_stream_is_for_staff_and_ends_after_max_s(
    server: EmbeddedServer, http: httpx.Client, auth: dict[str, str]
) -> None:
    assert http.get("/api/v1/stream").status_code == 401
    assert http.get("/api/v1/stream", headers=auth).status_code == 403
    started = time.monotonic()
    response = http.get(
        "/api/v1/stream", params={"max_s": 0.3}, headers=login(http, SUPERVISOR_LOGIN)
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert "event: snapshot" in response.text
    assert time.monotonic() - started < 5


def test_fleet_polling_shows_last_fix_and_sync(http: httpx.Client, auth: dict[str, str]) -> None:
    client_id = str(uuid.uuid4())
    push(http, auth, client_id, [fix_batch(1)], stream="gps")
    fleet = http.get("/api/v1/fleet", headers=login(http, SUPERVISOR_LOGIN)).json()
    vehicle = next(v for v in fleet["vehicles"] if v["device_id"] == "demo-tablet-1")
    assert vehicle["username"] == "demo"
    assert vehicle["last_fix"]["lat"] == pytest.approx(43.47)
    assert vehicle["last_sync"] is not None


def test_reassign_moves_the_route_and_flags_the_old_tablets_facts(
    server: EmbeddedServer, http: httpx.Client, auth: dict[str, str]
) -> None:
    sup = login(http, SUPERVISOR_LOGIN)
    client_id = str(uuid.uuid4())
    cursor = pull(http, auth, client_id, None)["cursor"]
    assignment = today_assignment(http, auth)
    with server.store.write() as conn:
        admin.upsert_device(conn, device_id="spare-tab", vehicle="Spare sweeper")
    moved = http.post(
        f"/api/v1/assignments/{assignment['id']}/reassign",
        json={"device_id": "spare-tab"},
        headers=sup,
    )
    assert moved.status_code == 200, moved.text
    summary = moved.json()["assignment"]
    assert summary["device_id"] == "spare-tab"
    assert summary["vehicle"] == "Spare sweeper"
    assert summary["version"] == assignment["version"] + 1
    changes = pull(http, auth, client_id, cursor)["changes"]
    assert any(c["id"] == assignment["id"] and c["version"] == summary["version"] for c in changes)
    # The old tablet's pending fact (made against the old version) is kept, flagged.
    stale = event(
        1,
        "shift_ended",
        {"assignment_id": assignment["id"]},
        assignment_version=assignment["version"],
    )
    tablet = login(http, {**DEMO_LOGIN, "device_id": "demo-tablet-1"})
    result = push(http, tablet, client_id, [stale]).json()["results"][0]
    assert result["status"] == "applied"
    assert result["flags"] == ["stale_assignment"]
    missing = http.post("/api/v1/assignments/nope/reassign", json={"device_id": "x"}, headers=sup)
    assert missing.status_code == 404
    # Put it back so other tests in the module keep the demo setup.
    back = http.post(
        f"/api/v1/assignments/{assignment['id']}/reassign",
        json={"device_id": "demo-tablet-1"},
        headers=sup,
    )
    assert back.status_code == 200
