"""MapView against a real QtWebEngine page served from the `sweepline:` scheme."""

from __future__ import annotations

from datetime import UTC, datetime

from client.models import Fix, SegmentState, SegmentStatus
from maps.page_script import STATE_COLOURS
from tests.ui.conftest import run_js, statuses_for


def test_page_loads_bundled_leaflet_from_scheme(qtbot, map_view):
    assert run_js(qtbot, map_view, 'typeof L === "object" && L.version') == "1.9.4"
    assert run_js(qtbot, map_view, "window.sweeplineReady") is True
    assert map_view.page().url().toString() == "sweepline://app/map.html"


def test_no_request_leaves_the_app_scheme(qtbot, map_view, route):
    map_view.show_route(route, statuses_for(route))
    qtbot.wait_until(lambda: run_js(qtbot, map_view, "window.sweepline.stats.routeLoads") == 1)
    assert map_view.blocked_requests == []
    assert [m for m in map_view.console_messages if m[0] != "info"] == []
