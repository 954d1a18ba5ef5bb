"""The operator screen on the real core: real widgets, a real QWebEngineView map, a real
tablet database. Each test drives one interaction of issue 6 through the widgets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.tablet import Tablet
from coverage.model import Route
from maps.page_script import STATE_COLOURS, STATE_DASHES
from tests.ui.conftest import delete_widget, run_js, wait_for_map, waterloo_route
from tests.ui.operator_rig import (
    close_tablet,
    drive_along,
    make_tablet,
    move_off,
    pull_changes,
    stop,
)
from ui.operator_window import OperatorWindow

MARKUP = '<img src=x onerror="window.__pwned = 1">Main & <b>King</b></script>'


def outbox(tablet: Tablet, type_: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    rows = tablet.store.conn.execute(
        "SELECT type, payload FROM outbox WHERE stream = 'events' ORDER BY stream_seq"
    ).fetchall()
    out = [(str(r["type"]), json.loads(r["payload"])) for r in rows]
    return [r for r in out if type_ is None or r[0] == type_]


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


def page_segment(qtbot: QtBot, window: OperatorWindow, segment_id: str) -> dict[str, Any]:
    result = run_js(qtbot, window.map_view, f"window.sweepline.describeSegment({segment_id!r})")
    assert isinstance(result, dict)
    return result


def tap_segment(qtbot: QtBot, window: OperatorWindow, segment_id: str) -> None:
    """A real mouse click on the middle of the segment, as a finger would.

    The segment's screen position is read until it stops moving: a layout change (the
    shift bar after ending a shift) resizes the map and Leaflet pans it.
    """
    expression = f"window.sweepline.segmentPoint({segment_id!r})"
    point = run_js(qtbot, window.map_view, expression)
    for _ in range(50):
        qtbot.wait(100)
        again = run_js(qtbot, window.map_view, expression)
        if again == point:
            break
        point = again
    target = window.map_view.web_view().focusProxy()
    assert target is not None
    QTest.mouseClick(
        target,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(round(point["x"]), round(point["y"])),
    )


def test_segment_recolours_after_fixes_and_a_tap_explains_it(
    qtbot: QtBot, window: OperatorWindow, tablet: Tablet, route: Route
) -> None:
    target, other = route.segments[0], route.segments[3]
    assert page_segment(qtbot, window, target.id)["stroke"] == STATE_COLOURS["not_started"]
    qtbot.mouseClick(window.shift_button, Qt.MouseButton.LeftButton)
    assert tablet.shift_active
    start = datetime.now(UTC)
    fixes = [
        *drive_along(target, start),
        *drive_along(target, start + timedelta(minutes=5), backwards=True),
    ]
    for fix in fixes:
        tablet.record_fix(fix)
    qtbot.wait_until(lambda: page_segment(qtbot, window, target.id)["state"] == "swept")
    seg = page_segment(qtbot, window, target.id)
    assert seg["stroke"] == STATE_COLOURS["swept"]
    assert seg["dash"] is None
    assert page_segment(qtbot, window, other.id)["state"] == "not_started"
    # The vehicle marker followed the last fix.
    last = run_js(qtbot, window.map_view, "window.sweepline.stats.lastVehicle")
    assert last["lat"] == pytest.approx(fixes[-1].lat)

    tap_segment(qtbot, window, target.id)
    qtbot.wait_until(
        lambda: run_js(qtbot, window.map_view, "window.sweepline.shownInfo()") is not None
    )
    shown = run_js(qtbot, window.map_view, "window.sweepline.shownInfo()")
    assert shown["id"] == target.id
    assert shown["street"] == target.street
    assert shown["length"] == f"{target.length_m:.0f} m"
    assert "sweeping" in shown["passes"]
    assert shown["why"]
    # The progress panel moved with it.
    assert window.progress_panel.percent_label.text() != "0 %"


def test_one_curb_and_skipped_segments_have_their_own_look(
    qtbot: QtBot, window: OperatorWindow
) -> None:
    first, second = window._tablet.assignment.route.segments[:2]  # type: ignore[union-attr]
    window.map_view.set_views(
        {
            first.id: {"state": "one_side", "info": {"length": "1 m", "passes": "1", "why": "x"}},
            second.id: {"state": "skipped", "info": {"length": "1 m", "passes": "0", "why": "y"}},
        }
    )
    qtbot.wait_until(lambda: page_segment(qtbot, window, first.id)["state"] == "one_side")
    assert page_segment(qtbot, window, first.id)["dash"] == STATE_DASHES["one_side"]
    skipped = page_segment(qtbot, window, second.id)
    assert skipped["stroke"] == STATE_COLOURS["skipped"]
    assert skipped["dash"] == STATE_DASHES["skipped"]


def test_exception_tapped_while_moving_is_exactly_one_fact_with_segment_and_side(
    qtbot: QtBot, window: OperatorWindow, tablet: Tablet, route: Route
) -> None:
    tablet.start_shift()
    segment = route.segments[2]
    move_off(tablet, segment, 25.0)
    assert window.motion.is_moving
    before = len(outbox(tablet))
    qtbot.mouseClick(window.exception_bar.side_buttons["left"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.exception_bar.kind_buttons["parked_cars"], Qt.MouseButton.LeftButton)
    facts = outbox(tablet)
    assert len(facts) == before + 1
    kind, payload = facts[-1]
    assert kind == "exception"
    assert payload["kind"] == "parked_cars"
    assert payload["side"] == "left"
    assert payload["segment_id"] == segment.id
    assert payload["lat"] == pytest.approx(segment.coords[len(segment.coords) // 2][1])
    assert segment.street in window.toast.text()


def test_keyboard_shortcuts_report_pick_a_side_and_toggle_the_theme(
    qtbot: QtBot, window: OperatorWindow, tablet: Tablet, route: Route
) -> None:
    stop(tablet, route.segments[1])
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_F9)
    QTest.keyClick(window, Qt.Key.Key_F2)
    _kind, payload = outbox(tablet, "exception")[-1]
    assert (payload["kind"], payload["side"]) == ("construction", "both")
    assert window.theme_mode == "day"
    QTest.keyClick(window, Qt.Key.Key_T)
    assert window.theme_mode == "night"
    qtbot.wait_until(
        lambda: (
            run_js(qtbot, window.map_view, "document.body.classList.contains('sweepline-night')")
            is True
        )
    )


def test_text_entry_is_refused_while_moving_and_kept_when_moving_off(
    qtbot: QtBot, window: OperatorWindow, tablet: Tablet, route: Route
) -> None:
    segment = route.segments[1]
    move_off(tablet, segment, 12.0)
    assert not window.exception_bar.note_button.isEnabled()
    window.open_note()  # the N shortcut's path
    assert window.note_dialog is None
    assert "Stop" in window.toast.text()

    stop(tablet, segment)
    assert window.exception_bar.note_button.isEnabled()
    qtbot.mouseClick(window.exception_bar.note_button, Qt.MouseButton.LeftButton)
    dialog = window.note_dialog
    assert dialog is not None
    assert dialog.isVisible()
    QTest.keyClicks(dialog.editor, "Cars on both sides")
    # Driving off closes it; the draft is kept, nothing is recorded yet.
    move_off(tablet, segment, 9.0)
    assert window.note_dialog is None
    assert window.note_draft == "Cars on both sides"
    assert outbox(tablet, "note") == []

    stop(tablet, segment)
    window.open_note()
    dialog = window.note_dialog
    assert dialog is not None
    assert dialog.text == "Cars on both sides"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    notes = outbox(tablet, "note")
    assert len(notes) == 1
    assert notes[0][1]["text"] == "Cars on both sides"
    assert notes[0][1]["segment_id"] == segment.id


def test_markup_in_a_street_name_is_shown_as_text_and_runs_no_script(
    qtbot: QtBot, tmp_path: Path
) -> None:
    route = waterloo_route(4, name_of=lambda i, name: MARKUP if i == 0 else name)
    tablet = make_tablet(tmp_path, route)
    win = OperatorWindow(tablet, theme_mode="day")
    try:
        win.resize(1280, 800)
        wait_for_map(qtbot, win)
        first = route.segments[0]
        tap_segment(qtbot, win, first.id)
        qtbot.wait_until(
            lambda: run_js(qtbot, win.map_view, "window.sweepline.shownInfo()") is not None
        )
        shown = run_js(qtbot, win.map_view, "window.sweepline.shownInfo()")
        assert shown["street"] == MARKUP
        assert "<img" not in shown["html"]
        assert "&lt;img" in shown["html"]
        assert page_segment(qtbot, win, first.id)["tooltipText"].startswith(MARKUP)
        qtbot.wait(300)
        assert run_js(qtbot, win.map_view, "typeof window.__pwned") == "undefined"
        assert win.map_view.blocked_requests == []
        # Native labels are plain text too: the end-of-shift list names it verbatim.
        tablet.start_shift()
        stop(tablet, first)
        win.request_end_shift()
        dialog = win.end_dialog
        assert dialog is not None
        from PySide6.QtWidgets import QLabel

        names = [lbl for lbl in dialog.findChildren(QLabel) if MARKUP in lbl.text()]
        assert names
        assert all(lbl.textFormat() == Qt.TextFormat.PlainText for lbl in names)
        dialog.reject()
    finally:
        delete_widget(win)
        close_tablet(tablet)


def test_end_of_shift_needs_a_reason_or_leave_open_for_each_unswept_segment(
    qtbot: QtBot, window: OperatorWindow, tablet: Tablet, route: Route
) -> None:
    qtbot.mouseClick(window.shift_button, Qt.MouseButton.LeftButton)
    assert outbox(tablet, "shift_started")
    move_off(tablet, route.segments[0], 20.0)
    qtbot.mouseClick(window.shift_button, Qt.MouseButton.LeftButton)
    assert window.end_dialog is None  # moving: no reading dialog
    assert tablet.shift_active

    stop(tablet, route.segments[0])
    qtbot.mouseClick(window.shift_button, Qt.MouseButton.LeftButton)
    dialog = window.end_dialog
    assert dialog is not None
    assert dialog.isVisible()
    unswept = tablet.unswept_segments()
    assert len(unswept) == len(route.segments)
    assert not dialog.end_button.isEnabled()
    qtbot.mouseClick(dialog.buttons[(unswept[0], "construction")], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.buttons[(unswept[1], "parked_cars")], Qt.MouseButton.LeftButton)
    assert not dialog.end_button.isEnabled()
    qtbot.mouseClick(dialog.leave_rest_button, Qt.MouseButton.LeftButton)
    assert dialog.end_button.isEnabled()
    qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)

    assert not tablet.shift_active
    skipped = outbox(tablet, "segment_not_swept")
    assert {(p["segment_id"], p["reason"]) for _, p in skipped} == {
        (unswept[0], "construction"),
        (unswept[1], "parked_cars"),
    }
    ended = outbox(tablet, "shift_ended")
    assert len(ended) == 1
    assert sorted(ended[0][1]["left_open"]) == sorted(unswept[2:])
    qtbot.wait_until(lambda: page_segment(qtbot, window, unswept[0])["state"] == "skipped")
    tap_segment(qtbot, window, unswept[0])
    qtbot.wait_until(
        lambda: run_js(qtbot, window.map_view, "window.sweepline.shownInfo()") is not None
    )
    assert "construction" in run_js(qtbot, window.map_view, "window.sweepline.shownInfo().why")
    assert window.shift_button.text() == "Start shift"


def test_supervisor_message_shown_when_pulled_and_acknowledged_in_one_tap(
    qtbot: QtBot, window: OperatorWindow, tablet: Tablet, route: Route
) -> None:
    assert window.message_strip.isHidden()
    text = "Skip <b>Dorset</b> today: water main work"
    pull_changes(
        tablet,
        [
            {
                "op": "put",
                "entity": "message",
                "id": "msg-1",
                "version": 1,
                "value": {
                    "id": "msg-1",
                    "text": text,
                    "sender": "Supervisor Lee",
                    "sent_at": "2024-05-01T13:05:00+00:00",
                },
            }
        ],
    )
    assert window.message_strip.isVisible()
    assert text in window.message_strip.text_label.text()
    assert window.message_strip.text_label.textFormat() == Qt.TextFormat.PlainText

    move_off(tablet, route.segments[0], 15.0)
    assert text not in window.message_strip.text_label.text()  # no reading while driving
    assert not window.message_strip.ok_button.isEnabled()
    stop(tablet, route.segments[0])
    assert text in window.message_strip.text_label.text()

    qtbot.mouseClick(window.message_strip.ok_button, Qt.MouseButton.LeftButton)
    acks = outbox(tablet, "message_ack")
    assert [p["message_id"] for _, p in acks] == ["msg-1"]
    assert window.message_strip.isHidden()
    # A second tap or a re-pull of the same message records nothing more.
    pull_changes(
        tablet,
        [
            {
                "op": "put",
                "entity": "message",
                "id": "msg-1",
                "version": 1,
                "value": {
                    "id": "msg-1",
                    "text": text,
                    "sender": "Supervisor Lee",
                    "sent_at": "2024-05-01T13:05:00+00:00",
                },
            }
        ],
    )
    assert window.message_strip.isHidden()
    assert len(outbox(tablet, "message_ack")) == 1


def test_follow_mode_stops_when_panned_and_recentre_brings_it_back(
    qtbot: QtBot, window: OperatorWindow, tablet: Tablet, route: Route
) -> None:
    stop(tablet, route.segments[0])
    assert run_js(qtbot, window.map_view, "window.sweepline.stats.follow") is True
    run_js(qtbot, window.map_view, "window.sweepline.map.fire('dragstart') && 1")
    assert run_js(qtbot, window.map_view, "window.sweepline.stats.follow") is False
    rect = run_js(
        qtbot,
        window.map_view,
        "(function(){var r=document.querySelector('.sweepline-recentre')"
        ".getBoundingClientRect();return {x:r.x+r.width/2,y:r.y+r.height/2,h:r.height};})()",
    )
    assert rect["h"] >= 64
    target = window.map_view.web_view().focusProxy()
    assert target is not None
    QTest.mouseClick(
        target,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(round(rect["x"]), round(rect["y"])),
    )
    qtbot.wait_until(
        lambda: run_js(qtbot, window.map_view, "window.sweepline.stats.follow") is True
    )
    assert run_js(qtbot, window.map_view, "window.sweepline.stats.recentres") == 1


def test_touch_targets_are_at_least_64_px(window: OperatorWindow) -> None:
    from PySide6.QtWidgets import QPushButton

    buttons = [b for b in window.findChildren(QPushButton) if b.isVisible()]
    assert len(buttons) >= 10
    small = [(b.objectName(), b.size()) for b in buttons if b.height() < 64 or b.width() < 64]
    assert small == []


def test_french_translation_reaches_every_panel(qtbot: QtBot, tablet: Tablet) -> None:
    from ui.i18n import install_language

    assert install_language("fr_CA") == "fr_CA"
    try:
        win = OperatorWindow(tablet, theme_mode="night")
        try:
            win.resize(1280, 800)
            wait_for_map(qtbot, win)
            assert win.shift_button.text() == "Commencer le quart"
            assert win.exception_bar.kind_buttons["parked_cars"].text() == "Voitures\ngarées"
            assert "balayés" in win.progress_panel.caption_label.text()
            legend = run_js(
                qtbot,
                win.map_view,
                "document.querySelector('.sweepline-legend').textContent",
            )
            assert "Pas commencé" in legend
        finally:
            delete_widget(win)
    finally:
        install_language("en_CA")
    assert QApplication.translate("ExceptionBar", "Blocked") == "Blocked"
