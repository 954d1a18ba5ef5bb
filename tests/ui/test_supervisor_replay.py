"""Acceptance for shift replay: a real tablet drives its route and syncs to the server in
its own process; the supervisor loads the vehicle's recording in the Replay tab and
plays it (with SWEEPLINE_SHOTS set, the end is saved as replay.png there); at its end
the swept set — in the replay and on the map page — is exactly the
server's route status, and halfway through it is a strict part of it."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDateTime

from staff.api import SupervisorApi
from staff.fleet import FleetFeed
from tests.e2e.test_pilot import Operator
from tests.helpers.server_process import ServerProcess
from tests.ui.conftest import LOAD_TIMEOUT_MS, delete_widget, until
from tests.ui.test_supervisor import js
from ui.supervisor.window import SupervisorWindow


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    with ServerProcess(tmp_path) as process:
        yield process


def test_replay_ends_with_the_servers_swept_set(
    server: ServerProcess, tmp_path: Path, run: Callable[[Coroutine[Any, Any, None]], None]
) -> None:
    shots = os.environ.get("SWEEPLINE_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)

    async def scenario() -> None:
        driver = Operator(server.url, tmp_path, "demo")
        api = SupervisorApi(server.url)
        window: SupervisorWindow | None = None
        try:
            started = datetime.now(UTC).timestamp()
            await driver.start(seed=7)
            for _ in range(8):
                driver.drive(60)
            assert driver.tablet.coverage is not None
            assert driver.tablet.assignment is not None
            route_id = driver.tablet.assignment.route.id
            assert driver.tablet.coverage.swept_ids(), "the drive swept segments"
            assert driver.last is not None
            finished = driver.last.t.timestamp()
            await driver.tablet.push_before_exit(10)
            await until(lambda: driver.pending == 0, 20)

            await api.login("supervisor", "sweep-super")
            status = await api.route_status(route_id)
            server_swept = {s["segment_id"] for s in status["segments"]}
            assert server_swept == driver.tablet.coverage.swept_ids()

            window = SupervisorWindow(api, FleetFeed(api), export_folder=tmp_path / "x")
            window.resize(1400, 850)
            window.show()
            window.start()
            await until(
                lambda: window is not None and window.map_view.is_ready, LOAD_TIMEOUT_MS / 1000
            )
            await until(
                lambda: (
                    window is not None and not window.busy and window.replay.vehicle.count() == 1
                ),
                20,
            )
            panel = window.replay
            window.tabs.setCurrentWidget(panel)
            panel.start.setDateTime(QDateTime.fromSecsSinceEpoch(int(started) - 60))
            panel.end.setDateTime(QDateTime.fromSecsSinceEpoch(int(finished) + 120))
            panel.speed.setCurrentIndex(panel.speed.count() - 1)
            panel.load_button.click()
            await until(lambda: panel.recording is not None, 20)
            assert panel.recording is not None
            assert len(panel.recording.track) == 480

            # Halfway: part of the route swept, not all of it.
            middle = panel.recording.state_at((started + finished) / 2)
            halfway = {s for r, s in middle.swept if r == route_id}
            assert halfway < server_swept

            panel.toggle()
            assert panel.playing
            await until(lambda: not panel.playing, 20)
            assert panel.frame is not None
            replayed = {s for r, s in panel.frame.swept if r == route_id}
            assert replayed == server_swept
            ids = json.dumps(sorted(s.id for s in driver.tablet.assignment.route.segments))
            states = await js(
                window.map_view,
                f"{ids}.map(function (id) {{ var d = window.sweepline.describeSegment(id);"
                " return [id, d && d.state]; })",
            )
            on_map = {s for s, state in states if state == "swept"}
            assert on_map == server_swept
            if shots:
                await asyncio.sleep(1.0)  # let the map paint before the grab
                window.grab().save(str(Path(shots) / "replay.png"))
        finally:
            if window is not None:
                window.close()
                await window.feed.aclose()
                delete_widget(window)
            await driver.aclose()
            await api.aclose()

    run(scenario())
