"""The supervisor window on the real server (loopback) and the real map page, run on a
qasync loop as main.py runs it: fleet table and live indicator, the map following the
selected vehicle, the feedback inbox (markup shown as text, filters, place on the map),
metrics charts, messages, reassignment and exports saved as files."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt

from server.embedded import EmbeddedServer
from staff.api import SupervisorApi
from staff.fleet import FleetFeed
from tests.server.helpers import SUPERVISOR_LOGIN, event, fix_batch, login, push, today_assignment
from tests.ui.conftest import LOAD_TIMEOUT_MS, delete_widget, until
from ui.map_view import MapView
from ui.supervisor.window import SupervisorWindow

SURVEY = {
    "id": "pilot-survey",
    "title": "Pilot survey",
    "questions": [
        {"id": "shift", "type": "rating", "label": "How was the shift?", "required": True},
        {"id": "issue", "type": "short_text", "label": "<i>Anything</i> to fix?"},
    ],
}
# Where the page's vehicle marker is (the one point layer on the map).
MARKER_JS = (
    "(() => { let found = null; window.sweepline.map.eachLayer(function (l) {"
    " if (l.getLatLng && !(l instanceof L.Polyline)) {"
    " const p = l.getLatLng(); found = [p.lat, p.lng]; } }); return found; })()"
)
MARKUP_NOTE = "<b>bold</b> & <a href='x'>link</a>"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """A seeded server with a pushed drive: fixes, a swept segment, an exception, a note
    with markup and a survey answer."""
    embedded = EmbeddedServer(tmp_path_factory.mktemp("sup") / "server.sqlite", seed_demo=True)
    embedded.start()
    with httpx.Client(base_url=embedded.url, timeout=10) as http:
        sup = login(http, SUPERVISOR_LOGIN)
        form = http.post("/api/v1/forms", json={"definition": SURVEY}, headers=sup).json()["form"]
        auth = login(http)
        assignment = today_assignment(http, auth)
        route_id = assignment["route"]["id"]
        feature = assignment["route"]["segments"]["features"][0]
        lon, lat = feature["geometry"]["coordinates"][0]
        now = time.time()
        fixes = [[(now - 30 + i) * 1000, lat, lon, 2.0 + i % 3, 90.0, 4.0] for i in range(20)]
        client_id = str(uuid.uuid4())
        r = push(http, auth, client_id, [fix_batch(1, fixes)], stream="gps")
        assert r.status_code == 200, r.text
        base = {"assignment_id": assignment["id"], "route_id": route_id}
        events = [
            event(
                1,
                "segment_swept",
                {
                    **base,
                    "segment_id": feature["id"],
                    "covered_fraction": 1.0,
                    "source": "inferred",
                },
            ),
            event(2, "exception", {**base, "kind": "parked_cars", "segment_id": feature["id"]}),
            event(3, "note", {**base, "text": MARKUP_NOTE, "lat": lat, "lon": lon}),
            event(
                4,
                "form_answer",
                {
                    **base,
                    "form_id": form["id"],
                    "form_version": form["version"],
                    "answers": {"shift": 4, "issue": "<script>x</script>"},
                    "segment_id": feature["id"],
                    "lat": lat,
                    "lon": lon,
                },
            ),
        ]
        r = push(http, auth, client_id, events)
        assert r.status_code == 200, r.text
        assert {x["status"] for x in r.json()["results"]} == {"applied"}, r.text
    yield embedded
    embedded.stop()


async def js(view: MapView, expression: str) -> Any:
    results: list[Any] = []
    view.evaluate_js(f"JSON.stringify({{value: ({expression})}})", results.append)
    await until(lambda: bool(results))
    return json.loads(results[0]).get("value")


async def open_window(
    url: str, tmp_path: Path, **feed_options: Any
) -> tuple[SupervisorWindow, SupervisorApi]:
    api = SupervisorApi(url)
    await api.login("supervisor", "sweep-super")
    feed = FleetFeed(api, **feed_options)
    window = SupervisorWindow(api, feed, export_folder=tmp_path / "exports")
    window.resize(1400, 850)
    window.show()
    window.start()
    await until(lambda: window.map_view.is_ready, LOAD_TIMEOUT_MS / 1000)
    await until(lambda: not window.busy, 20)
    return window, api


async def close_window(window: SupervisorWindow, api: SupervisorApi) -> None:
    window.close()
    await window.feed.aclose()
    await api.aclose()
    delete_widget(window)


def test_fleet_map_feedback_and_metrics(
    server: EmbeddedServer, tmp_path: Path, run: Callable[[Coroutine[Any, Any, None]], None]
) -> None:
    async def scenario() -> None:
        window, api = await open_window(server.url, tmp_path, stale_after_s=120)
        try:
            await until(lambda: window.feed.stream_up and window.fleet.table.rowCount() == 1)
            table = window.fleet.table
            assert table.item(0, 1).text() == "demo"
            assert table.item(0, 6).text() == "● live"
            assert window.fleet.connection.text().startswith("Live")
            assert "%" in table.item(0, 3).text()

            window.fleet.select_device("demo-tablet-1")
            await until(lambda: window.map_title.text().startswith("Sweeper 12 (demo)"))
            assert await js(window.map_view, "window.sweepline !== undefined")

            # Progress: the seeded route with one swept segment, its history.
            route_ids = window.progress._route_ids
            first = today_route(server.url)
            window.progress.select_route(first)
            await until(lambda: window.progress.history.rowCount() > 0)
            await until(lambda: "1 of" in window.progress.history_title.text())
            texts = [
                window.progress.history.item(r, 6).text()
                for r in range(window.progress.history.rowCount())
            ]
            assert any("parked_cars" in t for t in texts)
            assert first in route_ids

            # Feedback: markup stays text, the note opens at its place on the map.
            items = window.feedback.items()
            assert {i["type"] for i in items} == {"note", "form_answer"}
            cells = [window.feedback.table.item(r, 5).text() for r in range(len(items))]
            assert MARKUP_NOTE in cells
            assert "<i>Anything</i> to fix?: <script>x</script>" in "".join(cells)
            note_row = cells.index(MARKUP_NOTE)
            window.feedback.select_row(note_row)
            assert window.feedback.detail.textFormat() == Qt.TextFormat.PlainText
            assert MARKUP_NOTE in window.feedback.detail.text()
            note = items[note_row]
            await until(lambda: window.map_title.text().startswith("Where demo gave"))
            await until(lambda: window.map_view._vehicle is not None)
            marker = await js(window.map_view, MARKER_JS)
            assert marker == [pytest.approx(note["lat"]), pytest.approx(note["lon"])]
            assert await js(window.map_view, "window.sweepline.stats.segments") > 0

            # Filters: by question, then a date with no feedback, then a bad date.
            window.feedback.question.setCurrentIndex(window.feedback.question.findData("shift"))
            window.feedback.apply_filters()
            await until(lambda: len(window.feedback.items()) == 1)
            assert window.feedback.items()[0]["type"] == "form_answer"
            window.feedback.question.setCurrentIndex(0)
            window.feedback.since.setText("2001-01-01")
            window.feedback.until.setText("2001-01-02")
            window.feedback.apply_filters()
            await until(lambda: window.feedback.items() == [])
            window.feedback.since.setText("last week")
            window.feedback.apply_filters()
            assert "not a date" in window.feedback.problem.text()

            # Metrics: the five charts have the day's data.
            metrics = window.metrics
            assert metrics.completion.values[-1] > 0
            assert sum(metrics.speeds.values) == 20
            assert metrics.exceptions.values == [1.0]
            assert metrics.rating_series == {"How was the shift?": [4.0]}
            window.tabs.setCurrentWidget(window.metrics)
            await asyncio.sleep(0.2)
            window.grab().save(str(tmp_path / "metrics.png"))
        finally:
            await close_window(window, api)

    run(scenario())


def today_route(url: str) -> str:
    with httpx.Client(base_url=url, timeout=10) as http:
        return str(today_assignment(http, login(http))["route"]["id"])


def test_messages_reassign_and_exports(
    server: EmbeddedServer, tmp_path: Path, run: Callable[[Coroutine[Any, Any, None]], None]
) -> None:
    async def scenario() -> None:
        window, api = await open_window(server.url, tmp_path)
        try:
            await until(lambda: window.fleet.table.rowCount() == 1)
            # Messages: to one operator, listed with its status.
            window.tabs.setCurrentWidget(window.messages)
            window.messages.select_recipient("demo")
            window.messages.text.setText("<b>Stop</b> at the depot")
            window.messages.send_button.click()
            await until(lambda: window.messages.result.text().startswith("Sent to 1"))
            await until(lambda: window.messages.table.rowCount() >= 1)
            assert window.messages.table.item(0, 2).text() == "<b>Stop</b> at the depot"
            assert window.messages.table.item(0, 1).text() == "demo"
            assert window.messages.table.item(0, 4).text() == "not yet"
            window.messages.text.setText("")
            window.messages.send_button.click()
            assert window.messages.result.text() == "Write the message first."

            # Exports: every kind and format saved unchanged.
            for (kind, fmt), button in window.exports.buttons.items():
                button.click()
                await until(lambda k=kind: k in window.exports.result.text())
                await until(lambda: not window.busy)
                saved = sorted((tmp_path / "exports").glob(f"sweepline-{kind}-*.{fmt}"))
                assert len(saved) == 1
                assert saved[0].read_bytes() == await api.export(kind, fmt)

            # Reassign: the demo route to the same device with another vehicle name.
            window.fleet.select_device("demo-tablet-1")
            window.fleet.device.setEditText("demo-tablet-1")
            window.fleet.reassign_button.click()
            await until(lambda: "now goes to demo-tablet-1" in window.fleet.reassign_result.text())
            window.fleet.device.setEditText("no-such-tablet")
            window.fleet.reassign_button.click()
            await until(lambda: "no device" in window.status.text())
        finally:
            await close_window(window, api)

    run(scenario())


def test_stream_down_shows_delayed(
    server: EmbeddedServer, tmp_path: Path, run: Callable[[Coroutine[Any, Any, None]], None]
) -> None:
    """The stream cannot be opened: the fleet still arrives by polling, marked delayed."""
    from client.transport import SwitchableTransport

    async def scenario() -> None:
        cut = SwitchableTransport()
        cut.enabled = False
        window, api = await open_window(
            server.url, tmp_path, poll_interval_s=0.2, first_backoff_s=0.5, transport=cut
        )
        try:
            await until(lambda: window.fleet.table.rowCount() == 1)
            assert window.fleet.table.item(0, 6).text() == "● delayed"
            assert window.fleet.connection.text().startswith("Delayed")
            cut.enabled = True
            await until(lambda: window.fleet.connection.text().startswith("Live"), 15)
        finally:
            await close_window(window, api)
            await cut.aclose()

    run(scenario())
