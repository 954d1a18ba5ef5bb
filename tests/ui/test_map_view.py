"""MapView against a real QtWebEngine page served from the `sweepline:` scheme."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import QWebEnginePage

from coverage.model import Fix, SegmentState, SegmentStatus
from maps.page_script import STATE_COLOURS
from tests.ui.conftest import (
    delete_posted,
    delete_widget,
    run_js,
    statuses_for,
    wait_for_map,
    waterloo_route,
)
from ui.map_view import MapView

SCREENSHOTS = Path("/tmp")


def test_page_loads_bundled_leaflet_from_scheme(qtbot, map_view):
    assert run_js(qtbot, map_view, 'typeof L === "object" && L.version') == "1.9.4"
    assert run_js(qtbot, map_view, "window.sweeplineReady") is True
    assert map_view.page().url().toString() == "sweepline://app/map.html"


def test_no_request_leaves_the_app_scheme(qtbot, map_view, route):
    map_view.show_route(route, statuses_for(route))
    qtbot.wait_until(lambda: run_js(qtbot, map_view, "window.sweepline.stats.routeLoads") == 1)
    assert map_view.blocked_requests == []
    assert [m for m in map_view.console_messages if m[0] != "info"] == []


def test_set_statuses_recolours_only_the_given_segment(qtbot, map_view, route):
    first, second = route.segments[0].id, route.segments[1].id
    map_view.show_route(route, statuses_for(route))
    qtbot.wait_until(lambda: run_js(qtbot, map_view, "window.sweepline.stats.routeLoads") == 1)
    before = run_js(qtbot, map_view, f"window.sweepline.describeSegment({first!r})")
    assert before["stroke"] == STATE_COLOURS["not_started"]

    map_view.set_statuses({first: SegmentStatus(first, SegmentState.SWEPT, 1.0)})
    qtbot.wait_until(lambda: run_js(qtbot, map_view, "window.sweepline.stats.statusUpdates") == 1)

    after = run_js(qtbot, map_view, f"window.sweepline.describeSegment({first!r})")
    assert after["stroke"] == STATE_COLOURS["swept"]
    assert after["tooltipText"].endswith("Swept")
    untouched = run_js(qtbot, map_view, f"window.sweepline.describeSegment({second!r})")
    assert untouched["stroke"] == STATE_COLOURS["not_started"]
    assert run_js(qtbot, map_view, "window.sweepline.stats.routeLoads") == 1


def test_street_name_markup_is_shown_as_text_and_never_runs(qtbot, map_view):
    evil = '<img src=x onerror="window.pwned=1">'
    route = waterloo_route(3, name_of=lambda i, name: evil if i == 1 else name)
    target = route.segments[1].id
    map_view.show_route(route, statuses_for(route))
    qtbot.wait_until(lambda: run_js(qtbot, map_view, "window.sweepline.stats.routeLoads") == 1)
    open_tooltip = (
        "(function () { var opened = false; window.sweepline.map.eachLayer(function (l) {"
        " var tip = l.getTooltip && l.getTooltip();"
        " if (tip && tip.getContent().textContent.indexOf('onerror') >= 0) {"
        " l.openTooltip(); opened = true; } }); return opened; })()"
    )
    assert run_js(qtbot, map_view, open_tooltip) is True
    qtbot.wait(300)
    seg = run_js(qtbot, map_view, f"window.sweepline.describeSegment({target!r})")
    assert seg["street"] == evil
    assert seg["tooltipText"].startswith(evil)
    assert "&lt;img" in seg["tooltipHtml"]
    assert run_js(qtbot, map_view, "document.querySelectorAll('.leaflet-tooltip').length") == 1
    assert run_js(qtbot, map_view, "document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert run_js(qtbot, map_view, "typeof window.pwned") == "undefined"
    assert map_view.blocked_requests == []
    assert map_view.grab().save(str(SCREENSHOTS / "sweepline_map_markup_tooltip.png"))


def test_navigation_away_and_new_windows_are_refused(qtbot, map_view):
    run_js(qtbot, map_view, "(window.location.href = 'https://example.invalid/phish', true)")
    qtbot.wait_until(lambda: bool(map_view.blocked_navigations))
    assert map_view.blocked_navigations == ["https://example.invalid/phish"]
    assert run_js(qtbot, map_view, "window.open('sweepline://app/map.html') === null") is True
    qtbot.wait(200)
    assert map_view.page().url().toString() == "sweepline://app/map.html"
    assert run_js(qtbot, map_view, "window.sweeplineReady") is True
    assert map_view.blocked_requests == []


def test_scheme_answers_404_for_unknown_and_escaping_paths(qtbot, map_view):
    probe = (
        "(function () { window.probe = {}; ["
        "'sweepline://app/leaflet/images/marker-icon.png',"
        "'sweepline://app/leaflet/nope.png',"
        "'sweepline://app/leaflet/%2e%2e/%2e%2e/pyproject.toml',"
        "'sweepline://app/leaflet/..%2fLICENSE',"
        "'sweepline://app/secret.png'"
        "].forEach(function (u) { var i = new Image();"
        " i.onload = function () { window.probe[u] = 'ok'; };"
        " i.onerror = function () { window.probe[u] = 'error'; }; i.src = u; });"
        " return true; })()"
    )
    run_js(qtbot, map_view, probe)
    qtbot.wait_until(lambda: len(run_js(qtbot, map_view, "window.probe")) == 5)
    results = run_js(qtbot, map_view, "window.probe")
    assert results.pop("sweepline://app/leaflet/images/marker-icon.png") == "ok"
    assert set(results.values()) == {"error"}


def test_interceptor_blocks_and_records_external_requests(qtbot, map_view):
    """Even a page without our CSP, on the map's profile, cannot reach the network."""
    page = QWebEnginePage(map_view.page().profile())
    try:
        with qtbot.wait_signal(page.loadFinished, timeout=10_000):
            page.setHtml(
                '<img src="https://tile.example.invalid/1/2/3.png">',
                QUrl("about:blank"),
            )
        qtbot.wait_until(lambda: bool(map_view.blocked_requests))
        assert map_view.blocked_requests == ["https://tile.example.invalid/1/2/3.png"]
    finally:
        page.deleteLater()
        delete_posted()


def test_calls_before_ready_are_replayed(qtbot, route):
    view = MapView()
    try:
        first = route.segments[0].id
        view.show_route(route, statuses_for(route))
        view.set_statuses({first: SegmentStatus(first, SegmentState.IN_PROGRESS, 0.4)})
        fix = Fix(
            t=datetime(2024, 5, 1, 13, 0, tzinfo=UTC), lat=43.4660, lon=-80.5239, heading_deg=15.0
        )
        view.move_vehicle(fix)
        assert not view.is_ready
        wait_for_map(qtbot, view)
        qtbot.wait_until(lambda: run_js(qtbot, view, "window.sweepline.stats.vehicleUpdates") == 1)
        seg = run_js(qtbot, view, f"window.sweepline.describeSegment({first!r})")
        assert seg["stroke"] == STATE_COLOURS["in_progress"]
        assert run_js(qtbot, view, "window.sweepline.stats.lastVehicle") == {
            "lat": 43.4660,
            "lon": -80.5239,
            "heading": 15.0,
        }
    finally:
        delete_widget(view)


def test_vehicle_and_trail_screenshot(qtbot, map_view, route):
    ids = [s.id for s in route.segments]
    map_view.show_route(
        route,
        statuses_for(route, **{ids[0]: SegmentState.SWEPT, ids[1]: SegmentState.IN_PROGRESS}),
    )
    coords = route.segments[0].coords
    for i, (lon, lat) in enumerate(coords):
        map_view.move_vehicle(
            Fix(t=datetime(2024, 5, 1, 13, 0, i, tzinfo=UTC), lat=lat, lon=lon, heading_deg=0.0)
        )
    qtbot.wait_until(
        lambda: run_js(qtbot, map_view, "window.sweepline.stats.vehicleUpdates") == len(coords)
    )
    assert run_js(qtbot, map_view, "document.querySelectorAll('.sweepline-vehicle').length") == 1
    qtbot.wait(700)
    image = map_view.grab()
    assert image.save(str(SCREENSHOTS / "sweepline_map_view.png"))
    assert map_view.blocked_requests == []


def test_the_page_says_when_it_is_ready_without_being_polled(qtbot, route, monkeypatch):
    # With the application's poll switched off, only the page's own call through the
    # channel can make the view ready: the route's first paint does not wait for a poll.
    monkeypatch.setattr(MapView, "_poll_ready", lambda self: None)
    view = MapView()
    try:
        view.show_route(route, statuses_for(route))
        view.resize(600, 400)
        view.show()
        qtbot.wait_until(lambda: view.is_ready, timeout=20_000)
        qtbot.wait_until(
            lambda: run_js(qtbot, view, "window.sweepline.stats.segments") == len(route.segments)
        )
    finally:
        delete_widget(view)


def test_street_context_follows_the_route(qtbot, map_view, route):
    map_view.show_route(route, statuses_for(route))
    qtbot.wait_until(lambda: (run_js(qtbot, map_view, "window.sweepline.stats.streets") or 0) > 0)


def test_the_page_reports_the_route_drawn(qtbot, map_view, route):
    assert map_view.drawn_segments is None
    with qtbot.wait_signal(map_view.route_drawn, timeout=10_000) as drawn:
        map_view.show_route(route, statuses_for(route))
    assert drawn.args == [len(route.segments)]
    assert map_view.drawn_segments == len(route.segments)
