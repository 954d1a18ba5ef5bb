"""The operator window on the real core: Leaflet loads, and fixes along a segment recolour it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from pytestqt.qtbot import QtBot

from client.simulator import RouteSimulator
from coverage.model import SegmentState
from server.embedded import EmbeddedServer
from tests.e2e.live_tablet import cache_assignment, offline_tablet
from tests.ui.conftest import delete_widget, run_js, wait_for_map
from ui.operator_window import OperatorWindow


def test_window_recolours_a_segment_after_fixes_along_it(qtbot: QtBot, tmp_path: Path) -> None:
    with EmbeddedServer(tmp_path / "server.sqlite", seed_demo=True) as url:
        asyncio.run(cache_assignment(url, tmp_path))
    # The server is gone and the sync loop is not started: fixes in, colours out.
    tablet = offline_tablet(url, tmp_path)
    try:
        assert tablet.assignment is not None
        window = OperatorWindow(tablet)
        window.resize(1280, 800)
        wait_for_map(qtbot, window)
        assert run_js(qtbot, window.map_view, "typeof L") == "object"

        route = tablet.assignment.route
        tablet.start_shift()
        sim = RouteSimulator(route, start=datetime.now(UTC), seed=2)
        fixes = iter(sim.fixes())
        assert tablet.coverage is not None
        swept: set[str] = set()
        while not swept:
            fix = next(fixes)
            swept |= set(tablet.record_fix(fix).segments) & tablet.coverage.swept_ids()
        segment_id = sorted(swept)[0]

        def page_state() -> object:
            return run_js(
                qtbot, window.map_view, f"window.sweepline.describeSegment({segment_id!r}).state"
            )

        qtbot.wait_until(lambda: page_state() == "swept", timeout=10_000)
        untouched = next(
            s.id
            for s in route.segments
            if tablet.coverage.status(s.id).state is SegmentState.NOT_STARTED
        )
        assert (
            run_js(qtbot, window.map_view, f"window.sweepline.describeSegment({untouched!r}).state")
            == "not_started"
        )
        assert window.map_view.blocked_requests == []
        window.grab().save(str(tmp_path / "live_window.png"))
        window.close()
        delete_widget(window)
    finally:
        tablet.end_shift()
        asyncio.run(tablet.api.aclose())
        tablet.store.close()
