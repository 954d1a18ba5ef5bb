"""Acceptance for the supervisor's live console: two real tablets (store, outbox, sync
engine) push to the reference server running in its own process; the supervisor window
on a qasync-style loop shows both vehicles on the fleet map at once, and a segment swept
on a tablet reaches the Progress tab and the metrics within 5 s with no button pressed
(the stream's `progress` event makes the window fetch them again). A tap on a vehicle
on the map follows it."""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest

from staff.api import SupervisorApi
from staff.fleet import FleetFeed
from staff.freshness import FRESHNESS_COLOURS
from tests.e2e.test_pilot import Operator, add_second_operator
from tests.helpers.server_process import ServerProcess
from tests.ui.conftest import LOAD_TIMEOUT_MS, delete_widget, until
from tests.ui.test_supervisor import js
from ui.supervisor.window import SupervisorWindow

LIVE_WITHIN_S = 5.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    with ServerProcess(tmp_path) as process:
        add_second_operator(process.db_path)
        yield process


def route_row(window: SupervisorWindow, route_id: str) -> dict[str, Any]:
    """The Progress tab's row for the route, as shown."""
    for r in window.progress_rows:
        if r["route_id"] == route_id:
            return r
    raise AssertionError(f"route {route_id} not on the Progress tab")


def metrics_swept_m(window: SupervisorWindow) -> float:
    return sum(float(d.get("swept_m") or 0) for d in window.metrics.data.get("completion") or [])


def test_two_tablets_live_on_the_fleet_map_progress_and_metrics(
    server: ServerProcess, tmp_path: Path, run: Callable[[Coroutine[Any, Any, None]], None]
) -> None:
    async def scenario() -> None:
        api = SupervisorApi(server.url)
        await api.login("supervisor", "sweep-super")
        feed = FleetFeed(api, heartbeat_s=0.5, poll_interval_s=0.5, stale_after_s=30)
        window = SupervisorWindow(api, feed, export_folder=tmp_path / "exports")
        window.resize(1400, 850)
        window.show()
        a, b = Operator(server.url, tmp_path, "demo"), Operator(server.url, tmp_path, "demo2")
        try:
            window.start()
            await until(lambda: window.map_view.is_ready, LOAD_TIMEOUT_MS / 1000)
            await until(lambda: feed.stream_up and len(feed.vehicles) == 2, 15)
            await until(lambda: not window.busy, 20)
            await a.start(seed=3)
            await b.start(seed=5)
            a.drive(20)
            b.drive(20)
            a.tablet.flush_fixes()
            b.tablet.flush_fixes()

            # Both vehicles on the fleet map at once, each at its last fix, coloured live.
            def both_drawn(shown: object) -> bool:
                return isinstance(shown, list) and [
                    (v["id"], v["drawn"], v["freshness"]) for v in shown
                ] == [("demo-tablet-1", True, "live"), ("demo-tablet-2", True, "live")]

            shown: object = None
            deadline = time.monotonic() + 10
            while not both_drawn(shown) and time.monotonic() < deadline:
                window.map.fleet_layer.refresh()
                shown = await js(window.map_view, "window.sweeplineFleet.shown()")
            assert both_drawn(shown), shown
            assert isinstance(shown, list)
            for entry, op in zip(shown, (a, b), strict=True):
                assert op.last is not None
                assert entry["position"] == pytest.approx([op.last.lat, op.last.lon], abs=1e-6)
                # Coloured by freshness; the hover names who, the last fix and the queue.
                assert entry["colour"] == FRESHNESS_COLOURS["live"]
                assert f"— {op.username}</b>" in entry["hover"]
                assert "Data: live" in entry["hover"]
                assert "Last fix " in entry["hover"]
                assert "Queue: " in entry["hover"]

            # A tap on B's vehicle follows it.
            assert await js(window.map_view, "window.sweeplineFleet.tap('demo-tablet-2')")
            await until(lambda: window.map.followed == "demo-tablet-2", 5)
            assert window.fleet.selected_device() == "demo-tablet-2"
            assert window.map_title.text().startswith("Sweeper 7 (demo2)")

            # A sweeps a segment: the Progress tab and the metrics follow, no button pressed.
            assert a.tablet.assignment is not None
            assert a.tablet.coverage is not None
            route_id = a.tablet.assignment.route.id
            await until(lambda: bool(window.progress_rows) and window.metrics.data, 10)
            before = int(route_row(window, route_id)["segments_swept"])
            metrics_before = metrics_swept_m(window)
            swept_before = set(a.tablet.coverage.swept_ids())
            for _ in range(600):
                a.drive(5)
                if set(a.tablet.coverage.swept_ids()) - swept_before:
                    break
            new = set(a.tablet.coverage.swept_ids()) - swept_before
            assert new, "the drive swept a segment"
            swept_at = time.monotonic()
            a.tablet.flush_fixes()
            await until(
                lambda: int(route_row(window, route_id)["segments_swept"]) >= before + len(new),
                LIVE_WITHIN_S,
            )
            progress_s = time.monotonic() - swept_at
            await until(lambda: metrics_swept_m(window) > metrics_before, LIVE_WITHIN_S)
            metrics_s = time.monotonic() - swept_at
            print(f"live: progress {progress_s:.2f} s, metrics {metrics_s:.2f} s")
            assert metrics_s < LIVE_WITHIN_S
        finally:
            window.close()
            await feed.aclose()
            for op in (a, b):
                await op.aclose()
            await api.aclose()
            delete_widget(window)

    run(scenario())
