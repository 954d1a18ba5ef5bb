"""What the operator's map showed, kept and shown again at the next start."""

from __future__ import annotations

import logging

import pytest

from client.errors import StorageError
from maps.page_script import STATE_COLOURS
from tests.ui.conftest import delete_widget, run_js, wait_for_map
from ui import map_snapshot
from ui.map_snapshot import MapSnapshotKeeper
from ui.route_map import RouteMap


def _views(route, swept: str) -> dict:
    words = {"length": "100 m", "passes": "0", "why": "Not driven yet"}
    return {
        s.id: {"state": "swept" if s.id == swept else "not_started", "info": words}
        for s in route.segments
    }


def test_a_snapshot_draws_the_same_route_at_the_next_start(qtbot, route):
    swept = route.segments[1].id
    first = RouteMap()
    try:
        first.set_labels({"swept": "Balayé"})
        first.show_route_views(route, _views(route, swept))
        text = first.snapshot()
    finally:
        delete_widget(first)
    assert text is not None

    again = RouteMap()
    try:
        assert again.show_snapshot(text) == len(route.segments)
        wait_for_map(qtbot, again)
        qtbot.wait_until(lambda: again.drawn_segments == len(route.segments))
        seg = run_js(qtbot, again, f"window.sweepline.describeSegment({swept!r})")
        assert seg["stroke"] == STATE_COLOURS["swept"]
        # The core then draws the same route: nothing reloads, the street context comes.
        again.show_route_views(route, _views(route, swept))
        qtbot.wait_until(lambda: run_js(qtbot, again, "window.sweepline.stats.streets") > 0)
        assert run_js(qtbot, again, "window.sweepline.stats.routeLoads") == 1
    finally:
        delete_widget(again)


def test_a_damaged_snapshot_is_refused_with_a_reason(qtbot):
    view = RouteMap()
    try:
        for text in ("{not json", '{"route": 1}', "[]"):
            with pytest.raises(ValueError, match=r"snapshot|Expecting"):
                view.show_snapshot(text)
        assert view.snapshot() is None  # nothing was taken for a route
    finally:
        delete_widget(view)


def test_the_keeper_saves_once_the_map_is_still(qtbot, route, monkeypatch, caplog):
    monkeypatch.setattr(map_snapshot, "SAVE_AFTER_MS", 50)
    saved: list[str] = []
    view = RouteMap()
    try:
        keeper = MapSnapshotKeeper(view, saved.append)
        view.show_route_views(route, _views(route, route.segments[0].id))
        view.set_views(_views(route, route.segments[2].id))
        assert keeper.pending
        assert saved == []
        qtbot.wait_until(lambda: len(saved) == 1)
        assert view.show_snapshot(saved[0]) == len(route.segments)

        def full(_: str) -> None:
            raise StorageError("the tablet's storage is full")

        failing = MapSnapshotKeeper(view, full)
        with caplog.at_level(logging.WARNING, logger="sweepline.ui.map_snapshot"):
            failing.save_now()
        assert "storage is full" in caplog.text
    finally:
        delete_widget(view)
