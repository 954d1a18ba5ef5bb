"""The pilot end to end on the real server (loopback): two simulated operators drive their
routes (one goes offline for a while), answer the survey and send feedback; a supervisor
client gets live positions through the stream within 2 s while they are online, sees
the offline one marked delayed, sees all feedback once it reconnects, sends a message
that the tablet acknowledges, reassigns a route, and exports CSV/GeoJSON that match the
facts."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.tablet import Tablet
from client.api import ApiClient
from client.db import iso_z
from client.forms import AnswerContext, record_answer
from client.simulator import RouteSimulator
from client.store import Store
from client.transport import SwitchableTransport
from coverage.model import Fix
from server.admin import AssignmentRequest, assign, create_user, upsert_device
from server.clock import local_today
from server.db import Database
from server.embedded import EmbeddedServer
from server.settings import Settings
from staff.api import SupervisorApi
from staff.fleet import FleetFeed

pytestmark = pytest.mark.e2e

OPERATORS = {
    "demo": ("sweep-demo", "demo-tablet-1"),
    "demo2": ("sweep-demo-2", "demo-tablet-2"),
}
SURVEY = {
    "id": "pilot-survey",
    "title": "End of shift",
    "questions": [
        {"id": "shift", "type": "rating", "label": "How was the shift?", "required": True},
        {"id": "comment", "type": "short_text", "label": "Anything else?"},
    ],
}
STALE_AFTER_S = 3.0


async def until(condition: Callable[[], object], timeout_s: float, what: str = "") -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s} s: {what}")
        await asyncio.sleep(0.02)


def add_second_operator(db_path: Path) -> None:
    password, device_id = OPERATORS["demo2"]
    with Database(db_path).write() as conn:
        create_user(
            conn,
            username="demo2",
            password=password,
            role="operator",
            display_name="Second",
            settings=Settings(),
        )
        upsert_device(conn, device_id=device_id, vehicle="Sweeper 7")
        second = conn.execute("SELECT id FROM routes ORDER BY rowid LIMIT 1 OFFSET 1").fetchone()
        assign(
            conn,
            AssignmentRequest(
                date=local_today().isoformat(),
                operator="demo2",
                device_id=device_id,
                route_id=second[0],
            ),
        )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    embedded = EmbeddedServer(tmp_path / "server.sqlite", seed_demo=True)
    embedded.start()
    add_second_operator(embedded.db_path)
    yield embedded
    embedded.stop()


class Operator:
    """A real tablet core (store, outbox, sync engine) driving its route."""

    def __init__(self, base_url: str, data_dir: Path, username: str) -> None:
        self.username = username
        self.password, self.device_id = OPERATORS[username]
        self.transport = SwitchableTransport()
        api = ApiClient(base_url, transport=self.transport)
        store = Store(data_dir / f"{self.device_id}.sqlite", device_id=self.device_id)
        self.tablet = Tablet(store, api, transport=self.transport, gps_source_name="simulator")
        self.fixes: Iterator[Fix] = iter(())
        self.last: Fix | None = None

    async def start(self, seed: int) -> None:
        await self.tablet.api.login(self.username, self.password, self.device_id)
        await self.tablet.engine.pull()
        self.tablet.reload_assignment()
        assert self.tablet.assignment is not None
        self.tablet.start_shift()
        self.tablet.start()
        sim = RouteSimulator(self.tablet.assignment.route, start=datetime.now(UTC), seed=seed)
        self.fixes = iter(sim.fixes())

    def drive(self, seconds: int) -> None:
        for _ in range(seconds):
            self.last = next(self.fixes)
            self.tablet.record_fix(self.last)

    def answer_survey(self, form: dict[str, Any], rating: int, comment: str) -> None:
        tablet = self.tablet
        assert tablet.assignment is not None
        assert self.last is not None
        context = AnswerContext(
            answered_at=iso_z(datetime.now(UTC)),
            assignment_id=tablet.assignment.id,
            assignment_version=tablet.assignment.version,
            route_id=tablet.assignment.route.id,
            segment_id=tablet.current_segment(),
            lat=self.last.lat,
            lon=self.last.lon,
            gps_time=iso_z(self.last.t),
        )
        record_answer(tablet.outbox, form, {"shift": rating, "comment": comment}, context)
        tablet.engine.facts_added()

    @property
    def pending(self) -> int:
        return self.tablet.sync_state().pending_total

    async def aclose(self) -> None:
        await self.tablet.aclose()
        self.tablet.store.close()
        await self.transport.aclose()


async def position_delay(feed: FleetFeed, op: Operator) -> float:
    """Seconds from committing the buffered fixes on the tablet to the supervisor's feed
    holding the last of them (push, server, stream, client)."""
    assert op.last is not None
    want = op.last.t.timestamp() * 1000
    committed = time.monotonic()
    op.tablet.flush_fixes()

    def arrived() -> bool:
        fix = feed.vehicles[op.device_id].last_fix
        return fix is not None and fix.t_ms == pytest.approx(want, abs=1)

    await until(arrived, 10, f"{op.username}'s position on the stream")
    return time.monotonic() - committed


async def facts(http: httpx.AsyncClient, token: str, type_: str) -> list[dict[str, Any]]:
    r = await http.get(
        "/api/v1/facts",
        params={"type": type_, "limit": 1000},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    return [f for f in r.json()["facts"] if f["status"] == "applied"]


async def pilot(url: str, data_dir: Path) -> None:
    api = SupervisorApi(url)
    await api.login("supervisor", "sweep-super")
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        r = await http.post(
            "/api/v1/forms",
            json={"definition": SURVEY},
            headers={"Authorization": f"Bearer {api.token}"},
        )
        assert r.status_code == 200, r.text
        form = r.json()["form"]
    feed = FleetFeed(api, stale_after_s=STALE_AFTER_S, heartbeat_s=0.5, poll_interval_s=0.5)
    a, b = Operator(url, data_dir, "demo"), Operator(url, data_dir, "demo2")
    try:
        feed.start()
        await until(lambda: feed.stream_up, 10, "the stream")
        assert sorted(feed.vehicles) == ["demo-tablet-1", "demo-tablet-2"]
        await a.start(seed=3)
        await b.start(seed=5)

        # Both online: positions reach the supervisor within 2 s of the tablet's commit.
        delays = []
        for _ in range(3):
            a.drive(40)
            b.drive(40)
            delays += [await position_delay(feed, a), await position_delay(feed, b)]
        assert max(delays) < 2.0, delays
        assert feed.is_live(a.device_id)
        assert feed.is_live(b.device_id)

        a.tablet.add_note("Parked cars all along <b>Dorset</b>")
        a.answer_survey(form, 4, "fine")
        await until(lambda: a.pending == 0, 10, "A's feedback uploaded")
        await until(lambda: len(feed.recent_feedback) == 2, 5, "A's feedback on the stream")

        # B loses its connection and keeps working; A keeps syncing.
        b.transport.enabled = False
        b.tablet.set_network_enabled(False)
        b.drive(60)
        b.tablet.flush_fixes()
        b.tablet.add_note("=1+2 the hydrant is leaking")
        b.answer_survey(form, 2, "GPS lost twice")
        offline_until = time.monotonic() + STALE_AFTER_S + 2
        while time.monotonic() < offline_until:
            a.drive(5)
            await position_delay(feed, a)
            await asyncio.sleep(0.3)
        assert feed.stream_up
        assert not feed.is_live(b.device_id), "B is marked delayed while offline"
        assert feed.is_live(a.device_id)
        assert feed.delayed() == [b.device_id]
        assert b.pending > 0
        inbox = await api.feedback()
        assert {i["username"] for i in inbox} == {"demo"}

        # B reconnects: its queue drains, it is live again, all feedback is in the inbox.
        b.tablet.set_network_enabled(True)
        await until(lambda: b.pending == 0, 20, "B's queue drained")
        await until(lambda: feed.is_live(b.device_id), 10, "B live again")
        inbox = await api.feedback()
        assert sorted((i["username"], i["type"]) for i in inbox) == [
            ("demo", "form_answer"),
            ("demo", "note"),
            ("demo2", "form_answer"),
            ("demo2", "note"),
        ]
        ratings = {i["username"]: _answer(i, "shift") for i in inbox if i["answers"]}
        assert ratings == {"demo": 4, "demo2": 2}
        assert len(feed.recent_feedback) == 4
        only_b = await api.feedback(operator="demo2", question="comment")
        assert [_answer(i, "comment") for i in only_b] == ["GPS lost twice"]

        # Sweep on: a few more minutes each, so segments are swept before the exports.
        for _ in range(4):
            a.drive(100)
            b.drive(100)
            await asyncio.sleep(0)
        assert a.tablet.coverage is not None
        assert b.tablet.coverage is not None
        assert a.tablet.coverage.swept_ids() | b.tablet.coverage.swept_ids()
        await position_delay(feed, a)
        await position_delay(feed, b)
        await until(lambda: a.pending == b.pending == 0, 20, "everything uploaded")

        # A message to B: delivered by its next pull, acknowledged through its outbox.
        sent = await api.send_message("Return to the depot at 15:00", "demo2")
        await b.tablet.engine.pull()
        received = [m for m in b.tablet.supervisor_messages() if m.id == sent["id"]]
        assert [m.text for m in received] == ["Return to the depot at 15:00"]
        b.tablet.acknowledge_message(sent["id"])
        await until(lambda: b.pending == 0, 10, "the acknowledgement uploaded")
        status = {m["id"]: m["recipients"][0] for m in await api.messages()}[sent["id"]]
        assert status["delivered_at"] is not None
        assert status["acked_at"] is not None
        acks = [f for f in await _facts(url, api, "message_ack") if f["username"] == "demo2"]
        assert [f["payload"]["message_id"] for f in acks] == [sent["id"]]

        # Reassign A's route to B's vehicle: a new version, B's tablet gets it on pull.
        assert a.tablet.assignment is not None
        old = a.tablet.assignment
        moved = await api.reassign(old.id, b.device_id, operator="demo2")
        assert (moved["device_id"], moved["operator"]) == (b.device_id, "demo2")
        assert moved["version"] == old.version + 1
        today = await api.assignments(date=local_today().isoformat())
        assert {(x["id"], x["operator"]) for x in today} >= {(old.id, "demo2")}
        await a.tablet.engine.pull()
        a.tablet.reload_assignment()
        assert a.tablet.assignment is None or a.tablet.assignment.id != old.id

        # Exports match the facts.
        await a.tablet.push_before_exit(5)
        await b.tablet.push_before_exit(5)
        swept = {
            (f["payload"]["route_id"], f["payload"]["segment_id"])
            for f in await _facts(url, api, "segment_swept")
        }
        assert swept, "the drive swept segments"
        progress = list(csv.DictReader(io.StringIO((await api.export("progress", "csv")).decode())))
        assert {(r["route_id"], r["segment_id"]) for r in progress if r["swept"] == "True"} == swept
        geo = json.loads(await api.export("progress", "geojson"))
        assert {
            (f["properties"]["route_id"], f["properties"]["segment_id"])
            for f in geo["features"]
            if f["properties"]["swept"]
        } == swept
        notes = await _facts(url, api, "note")
        answers = await _facts(url, api, "form_answer")
        rows = list(csv.DictReader(io.StringIO((await api.export("feedback", "csv")).decode())))
        assert sorted((r["username"], r["answer"]) for r in rows if r["type"] == "note") == sorted(
            (f["username"], f["payload"]["text"].replace("=1+2", "'=1+2")) for f in notes
        )
        assert sorted(
            (r["username"], r["answer"]) for r in rows if r["question_id"] == "shift"
        ) == sorted((f["username"], str(f["payload"]["answers"]["shift"])) for f in answers)
        points = json.loads(await api.export("feedback", "geojson"))["features"]
        assert sorted(tuple(p["geometry"]["coordinates"]) for p in points if p["geometry"]) == (
            sorted((f["payload"]["lon"], f["payload"]["lat"]) for f in answers)
        )
    finally:
        await feed.aclose()
        for op in (a, b):
            await op.aclose()
        await api.aclose()


def _answer(item: dict[str, Any], question: str) -> object:
    return {a["question_id"]: a["value"] for a in item["answers"]}[question]


async def _facts(url: str, api: SupervisorApi, type_: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        return await facts(http, api.token or "", type_)


def test_pilot_with_two_operators_and_a_supervisor(server: EmbeddedServer, tmp_path: Path) -> None:
    asyncio.run(pilot(server.url, tmp_path))
