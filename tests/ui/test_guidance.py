"""The "Now" and "Next" guidance on the real core and the real map: a drive past one
segment and along it until it is swept, "Next" naming the nearest segment still to sweep
(in the panel and as an arrow on the map) and moving on as segments turn swept."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from shapely.geometry import LineString, Point

from app.tablet import Tablet
from coverage.geo import LocalProjection
from coverage.guidance import TIE_M
from coverage.model import Route, SegmentState
from tests.ui.conftest import delete_widget, run_js, wait_for_map, waterloo_route
from tests.ui.operator_rig import close_tablet, drive_along, make_tablet
from ui.operator_window import OperatorWindow


@pytest.fixture
def route() -> Route:
    return waterloo_route(8)


@pytest.fixture
def tablet(tmp_path: Path, route: Route) -> Iterator[Tablet]:
    t = make_tablet(tmp_path, route)
    yield t
    close_tablet(t)


@pytest.fixture
def window(qtbot: QtBot, tablet: Tablet) -> Iterator[OperatorWindow]:
    win = OperatorWindow(tablet, theme_mode="day")
    win.resize(1280, 800)
    wait_for_map(qtbot, win)
    yield win
    delete_widget(win)


def nearest_left(tablet: Tablet, route: Route) -> float:
    """Shapely's distance from the last fix to the nearest segment not swept, other than
    the one under the vehicle."""
    fix = tablet.gps_state().last_fix
    assert fix is not None
    proj = LocalProjection(fix.lon, fix.lat)
    current = tablet.current_segment()
    swept = {i for i, s in tablet.statuses().items() if s.state is SegmentState.SWEPT}
    return min(
        LineString([proj.to_xy(x, y) for x, y in s.coords]).distance(Point(0, 0))
        for s in route.segments
        if s.id not in swept and s.id != current
    )


def test_next_names_the_nearest_unswept_segment_and_moves_on_as_they_are_swept(
    qtbot: QtBot, window: OperatorWindow, tablet: Tablet, route: Route
) -> None:
    assert window.guidance_panel.next is None
    assert "GPS" in window.guidance_panel.now_label.text()
    tablet.start_shift()
    first = route.segments[0]
    start = datetime.now(UTC) - timedelta(minutes=30)
    fixes = [
        *drive_along(first, start),
        *drive_along(first, start + timedelta(minutes=5), backwards=True),
    ]
    named: list[str] = []
    for i, fix in enumerate(fixes):
        tablet.record_fix(fix)
        nxt = window.guidance_panel.next
        assert nxt is not None
        if i % 10 == 0:
            # Driving past the segment: never the one under the vehicle, always the nearest.
            assert nxt.segment_id != tablet.current_segment()
            assert nxt.distance_m <= nearest_left(tablet, route) + TIE_M
        if not named or named[-1] != nxt.segment_id:
            named.append(nxt.segment_id)
    assert tablet.statuses()[first.id].state is SegmentState.SWEPT
    assert (
        first.street in window.guidance_panel.now_label.text()
        or tablet.current_segment() != first.id
    )

    # Sweep the segment "Next" names: it turns swept and "Next" moves on to another one.
    target_id = window.guidance_panel.next.segment_id if window.guidance_panel.next else ""
    target = next(s for s in route.segments if s.id == target_id)
    later = fixes[-1].t + timedelta(minutes=1)
    for fix in [
        *drive_along(target, later),
        *drive_along(target, later + timedelta(minutes=5), backwards=True),
    ]:
        tablet.record_fix(fix)
    assert tablet.statuses()[target.id].state is SegmentState.SWEPT
    after = window.guidance_panel.next
    assert after is not None
    assert after.segment_id not in (target.id, first.id)
    assert after.street in window.guidance_panel.next_label.text()
    assert window.guidance_panel.arrow_label.text() in "↑↗→↘↓↙←↖"

    # The same "Next" on the map: an arrow at the point to aim for.
    qtbot.wait_until(
        lambda: (
            (run_js(qtbot, window.map_view, "window.sweepline.stats.next") or {}).get("id")
            == after.segment_id
        )
    )
    shown = run_js(qtbot, window.map_view, "window.sweepline.stats.next")
    assert shown["lat"] == pytest.approx(after.lat, abs=1e-5)
    assert (
        run_js(qtbot, window.map_view, "document.querySelectorAll('.sweepline-next-arrow').length")
        == 1
    )


def test_an_exception_leaves_a_pin_that_says_what_and_when(
    qtbot: QtBot, window: OperatorWindow, tablet: Tablet, route: Route
) -> None:
    from client.models import CurbSide, ExceptionKind

    tablet.record_fix(next(drive_along(route.segments[1], datetime.now(UTC))))
    window.report_exception(ExceptionKind.CONSTRUCTION, CurbSide.LEFT)
    qtbot.wait_until(lambda: run_js(qtbot, window.map_view, "window.sweepline.stats.pins") == 1)
    (pin,) = window.map_view.pins
    assert "construction" in pin["text"]
    assert route.segments[1].street in pin["text"]
