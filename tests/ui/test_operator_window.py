"""OperatorWindow and its panels, driven by a small stand-in for the tablet core."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from client.clock import SYSTEM_CLOCK
from client.models import Assignment, Changes, GpsQuality, GpsState, SupervisorMessage, SyncState
from coverage.explain import SegmentExplanation
from coverage.model import Fix, Progress, Route, SegmentState, SegmentStatus
from maps.page_script import STATE_COLOURS
from tests.ui.conftest import delete_widget, run_js, wait_for_map, waterloo_route
from ui.formatting import clock
from ui.operator_window import OperatorWindow
from ui.progress_panel import ProgressPanel
from ui.segment_views import route_views
from ui.status_panel import StatusPanel

SCREENSHOTS = Path("/tmp")
T0 = datetime(2024, 5, 1, 13, 5, tzinfo=UTC)


class StandInTablet:
    """Implements ui.tablet_protocol.TabletLike with real model values and no logic."""

    def __init__(self, route: Route) -> None:
        self.assignment: Assignment | None = Assignment(
            id="a-1",
            version=1,
            date="2024-05-01",
            operator="op-7",
            device_id="tab-3",
            vehicle="SW-12",
            route=route,
        )
        self._statuses = {
            s.id: SegmentStatus(s.id, SegmentState.NOT_STARTED, 0.0) for s in route.segments
        }
        self._sync = SyncState(online=True, offline_since=None, last_success=T0)
        self._gps = GpsState(quality=GpsQuality.NO_FIX)
        self._trail: list[Fix] = []
        self._subscribers: list[Callable[[Changes], None]] = []
        self.network_enabled = True
        self.network_calls: list[bool] = []
        self.shift_active = False
        self.speed: float | None = None
        self.clock = SYSTEM_CLOCK

    def explain(self, segment_id: str) -> SegmentExplanation:
        status = self._statuses[segment_id]
        swept = status.state is SegmentState.SWEPT
        return SegmentExplanation(
            segment_id=segment_id,
            profile="stand-in",
            state=status.state,
            trimmed_length_m=0.0,
            buffer_m=0.0,
            coverage_pct=100 * status.covered_fraction,
            passes=int(swept),
            sweeping_passes=int(swept),
            sweeping_passes_by_side={},
            sides_needed=1,
            sides_done=(),
            sweep_speed_kmh=None,
            max_speed_kmh=None,
            source="inferred" if swept else None,
            reason=None if swept else "not driven",
        )

    def current_segment(self) -> str | None:
        return None

    def unswept_segments(self) -> list[str]:
        return [i for i, s in self._statuses.items() if s.state is not SegmentState.SWEPT]

    def sweeping_passes(self) -> int:
        return sum(s.state is SegmentState.SWEPT for s in self._statuses.values())

    def speed_kmh(self) -> float | None:
        return self.speed

    def supervisor_messages(self) -> list[SupervisorMessage]:
        return []

    def statuses(self) -> dict[str, SegmentStatus]:
        return dict(self._statuses)

    def progress(self) -> Progress:
        assert self.assignment is not None
        segs = self.assignment.route.segments
        swept = [s for s in segs if self._statuses[s.id].state is SegmentState.SWEPT]
        return Progress(
            total_m=sum(s.length_m for s in segs),
            swept_m=sum(s.length_m for s in swept),
            segments_total=len(segs),
            segments_swept=len(swept),
        )

    def sync_state(self) -> SyncState:
        return self._sync

    def gps_state(self) -> GpsState:
        return self._gps

    def recent_trail(self) -> list[Fix]:
        return list(self._trail)

    def subscribe(self, callback: Callable[[Changes], None]) -> Callable[[], None]:
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def set_network_enabled(self, enabled: bool) -> None:
        self.network_enabled = enabled
        self.network_calls.append(enabled)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def publish(self, changes: Changes) -> None:
        for callback in list(self._subscribers):
            callback(changes)

    def sweep(self, segment_id: str, state: SegmentState = SegmentState.SWEPT) -> None:
        self._statuses[segment_id] = SegmentStatus(segment_id, state, 1.0, swept_at=T0)
        self.publish(Changes(segments=frozenset({segment_id})))

    def drive(self, fix: Fix) -> None:
        self._trail.append(fix)
        self._gps = GpsState(quality=GpsQuality.FIX, last_fix=fix, source="sim")
        self.publish(Changes(vehicle=fix, gps=True))

    def set_sync(self, state: SyncState) -> None:
        self._sync = state
        self.publish(Changes(sync=True, outbox=True))


@pytest.fixture
def tablet() -> StandInTablet:
    return StandInTablet(waterloo_route(10))


@pytest.fixture
def window(qtbot, tablet):
    win = OperatorWindow(tablet, demo=True)
    win.resize(1280, 800)
    wait_for_map(qtbot, win)
    yield win
    delete_widget(win)


def test_status_panel_says_offline_since_and_queue_in_plain_words(qtbot):
    panel = StatusPanel()
    qtbot.add_widget(panel)
    since = datetime(2024, 5, 1, 14, 7, tzinfo=UTC)
    panel.set_sync_state(
        SyncState(
            online=False,
            offline_since=since,
            pending={"fixes": 10, "swept": 2},
            last_success=T0,
            last_error="Cannot reach the city server. Work is saved.",
        )
    )
    assert panel.connection_label.text() == f"● Offline since {clock(since)}"
    assert panel.pending_label.text() == "Waiting to upload: 12"
    assert panel.last_sync_label.text() == f"Last sync: {clock(T0)}"
    assert panel.error_label.text() == "Cannot reach the city server. Work is saved."
    panel.set_gps_state(
        GpsState(quality=GpsQuality.STALE, last_fix=Fix(t=since, lat=43.47, lon=-80.52))
    )
    assert panel.gps_label.text() == f"GPS: lost since {clock(since)}"
    assert panel.minimumHeight() >= 64


def test_progress_panel_shows_percent_km_left_and_segments(qtbot):
    panel = ProgressPanel()
    qtbot.add_widget(panel)
    panel.set_progress(Progress(total_m=5000, swept_m=1990, segments_total=12, segments_swept=5))
    assert panel.percent_label.text() == "39 %"
    assert panel.left_label.text() == "Left: 3.0 curb-km"
    assert panel.segments_label.text() == "5 of 12 segments swept"
    assert panel.percent_label.font().pixelSize() >= 48


def test_window_redraws_what_each_change_names(qtbot, window, tablet):
    route = tablet.assignment.route
    first, second = route.segments[0].id, route.segments[1].id
    qtbot.wait_until(
        lambda: run_js(qtbot, window.map_view, "window.sweepline.stats.segments") == 10
    )

    tablet.sweep(first)
    tablet.sweep(second, SegmentState.IN_PROGRESS)
    qtbot.wait_until(
        lambda: run_js(qtbot, window.map_view, "window.sweepline.stats.statusUpdates") == 2
    )
    last = run_js(qtbot, window.map_view, "window.sweepline.stats.lastStatuses")
    assert list(last) == [second]
    assert last[second]["state"] == "in_progress"
    seg = run_js(qtbot, window.map_view, f"window.sweepline.describeSegment({first!r})")
    assert seg["stroke"] == STATE_COLOURS["swept"]
    swept_m = route.segments[0].length_m
    assert window.progress_panel.percent_label.text() == f"{int(swept_m / route.length_m * 100)} %"
    assert window.progress_panel.segments_label.text() == "1 of 10 segments swept"

    for i, (lon, lat) in enumerate(route.segments[0].coords):
        tablet.drive(Fix(t=T0.replace(second=i), lat=lat, lon=lon, heading_deg=5.0))
    n = len(route.segments[0].coords)
    qtbot.wait_until(
        lambda: run_js(qtbot, window.map_view, "window.sweepline.stats.vehicleUpdates") == n
    )
    assert window.status_panel.gps_label.text() == "GPS (sim): good"
    assert run_js(qtbot, window.map_view, "window.sweepline.stats.routeLoads") == 1

    since = datetime(2024, 5, 1, 14, 30, tzinfo=UTC)
    tablet.set_sync(
        replace(tablet.sync_state(), online=False, offline_since=since, pending={"fixes": 7})
    )
    assert window.status_panel.connection_label.text() == f"● Offline since {clock(since)}"
    assert window.status_panel.pending_label.text() == "Waiting to upload: 7"
    assert window.map_view.blocked_requests == []


def test_demo_button_cuts_and_restores_the_connection(qtbot, window, tablet):
    button = window.demo_button
    assert button is not None
    assert button.text() == "Demo: cut the\nserver link"
    assert button.isCheckable()
    assert not button.isChecked()
    assert button.height() >= 64
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert button.isChecked()
    assert tablet.network_calls == [False]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert tablet.network_calls == [False, True]


def test_window_shown_before_the_core_exists_then_attached(qtbot, tablet):
    # Start-up shows the frame (its map already loading) before the core is built.
    tablet.network_enabled = False
    win = OperatorWindow(demo=True)
    try:
        win.resize(1280, 800)
        win.show()
        assert not win.centralWidget().isEnabled()
        assert tablet.subscriber_count == 0
        qtbot.keyClick(win, Qt.Key.Key_F8)  # no core yet: nothing happens, nothing breaks
        win.attach(tablet)
        assert win.centralWidget().isEnabled()
        assert tablet.subscriber_count == 1
        assert win.demo_button is not None
        assert win.demo_button.isChecked()
        assert tablet.network_calls == []  # showing the state is not a toggle
        assert win.shift_button.text() == "Start shift"
        wait_for_map(qtbot, win)
        qtbot.wait_until(
            lambda: run_js(qtbot, win.map_view, "window.sweepline.stats.segments") == 10
        )
        with pytest.raises(RuntimeError):
            win.attach(tablet)
    finally:
        delete_widget(win)


def test_map_first_frame_draws_the_cached_route_before_its_panels(qtbot, tablet):
    # Start-up: the map alone, the cached route handed to the page in its channel
    # handshake; then the panels and the core, which draws the same route again: only
    # what differs reaches the page, and the route is not reloaded.
    win = OperatorWindow(panels_later=True)
    try:
        assert not win.panels_built
        assert tablet.assignment is not None
        route = tablet.assignment.route
        win.map_view.show_route_views(route, route_views(route, tablet.explain))
        sent_before_drawn: list[int] = []
        win.map_view.route_drawn.connect(
            lambda _n: sent_before_drawn.append(win.map_view.messages_sent)
        )
        win.resize(1280, 800)
        win.show()
        qtbot.wait_until(lambda: win.map_view.drawn_segments == len(route.segments))
        assert sent_before_drawn == [0]  # drawn from the handshake: no message needed
        win.build_panels()
        assert win.panels_built
        win.attach(tablet)
        assert win.shift_button.text() == "Start shift"
        assert win.centralWidget().isEnabled()
        assert run_js(qtbot, win.map_view, "window.sweepline.stats.routeLoads") == 1
        tablet.sweep(route.segments[0].id)
        qtbot.wait_until(
            lambda: run_js(qtbot, win.map_view, "window.sweepline.stats.statusUpdates") >= 1
        )
        assert run_js(qtbot, win.map_view, "window.sweepline.stats.routeLoads") == 1
    finally:
        delete_widget(win)


def test_log_in_again_only_when_asked_and_only_when_stopped(qtbot, window, tablet):
    assert window.login_button.isHidden()
    tablet.set_sync(replace(tablet.sync_state(), login_required=True))
    assert not window.login_button.isHidden()
    assert window.login_button.height() >= 64
    segment = tablet.assignment.route.segments[0]
    lon, lat = segment.coords[0]
    asked: list[bool] = []
    window.login_requested.connect(lambda: asked.append(True))
    tablet.speed = 20.0
    for second in range(3):  # the motion lock's hold time
        tablet.drive(Fix(t=T0 + timedelta(seconds=second), lat=lat, lon=lon, heading_deg=5.0))
    qtbot.mouseClick(window.login_button, Qt.MouseButton.LeftButton)
    assert asked == []
    assert window.toast.text() == "Stop the vehicle to log in"
    tablet.speed = 0.0
    for second in range(3, 20):
        tablet.drive(Fix(t=T0 + timedelta(seconds=second), lat=lat, lon=lon, heading_deg=5.0))
    qtbot.mouseClick(window.login_button, Qt.MouseButton.LeftButton)
    assert asked == [True]
    tablet.set_sync(replace(tablet.sync_state(), login_required=False))
    assert window.login_button.isHidden()


def test_no_demo_button_unless_asked(qtbot, tablet):
    win = OperatorWindow(tablet)
    try:
        assert win.demo_button is None
    finally:
        delete_widget(win)


def test_closing_the_window_unsubscribes(qtbot, tablet):
    win = OperatorWindow(tablet)
    try:
        assert tablet.subscriber_count == 1
        win.close()
        assert tablet.subscriber_count == 0
    finally:
        delete_widget(win)


def test_operator_window_screenshot(qtbot, window, tablet):
    route = tablet.assignment.route
    for seg in route.segments[:3]:
        tablet.sweep(seg.id)
    tablet.sweep(route.segments[3].id, SegmentState.IN_PROGRESS)
    for i, (lon, lat) in enumerate(route.segments[3].coords[:3]):
        tablet.drive(Fix(t=T0.replace(second=i), lat=lat, lon=lon, heading_deg=80.0))
    tablet.set_sync(
        SyncState(
            online=False,
            offline_since=T0,
            pending={"fixes": 42, "swept": 3},
            last_success=T0,
            last_error="No connection to the city server; your work is saved on this tablet.",
        )
    )
    qtbot.wait_until(
        lambda: run_js(qtbot, window.map_view, "window.sweepline.stats.vehicleUpdates") == 3
    )
    qtbot.wait(800)
    # What the screenshot shows, checked: three swept and one in progress, offline, queue.
    assert window.progress_panel.segments_label.text() == "3 of 10 segments swept"
    assert window.status_panel.connection_label.text() == f"● Offline since {clock(T0)}"
    assert window.status_panel.pending_label.text() == "Waiting to upload: 45"
    for seg, state in [(route.segments[0], "swept"), (route.segments[3], "in_progress")]:
        drawn = run_js(qtbot, window.map_view, f"window.sweepline.describeSegment({seg.id!r})")
        assert drawn["stroke"] == STATE_COLOURS[state], seg.id
    shot = window.grab()
    assert (shot.width(), shot.height()) == (window.width(), window.height())
    assert shot.save(str(SCREENSHOTS / "sweepline_operator_window.png"))
