"""Pilot feedback on the tablet (issue 8, item 2), on the real operator window and a real
tablet core: the Feedback button's short form (only when stopped) and the end-of-shift
survey, both answered offline as `form_answer` facts with their context attached."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from app.tablet import Tablet
from coverage.model import Route
from server.demo_data import PILOT_END_OF_SHIFT, PILOT_FEEDBACK
from tests.ui.conftest import delete_widget, wait_for_map, waterloo_route
from tests.ui.operator_rig import (
    close_tablet,
    make_tablet,
    move_off,
    pull_changes,
    stop,
    stopped_at,
)
from ui.feedback import FormDialog
from ui.operator_window import OperatorWindow
from wire.forms import check_definition

MARKUP = '<img src=x onerror="window.__pwned = 1">Main & <b>King</b>'


def form_change(definition: dict[str, Any], version: int = 1) -> dict[str, Any]:
    return {
        "op": "put",
        "entity": "form",
        "id": definition["id"],
        "version": version,
        "value": {**check_definition(definition), "version": version},
    }


def form_answers(tablet: Tablet) -> list[tuple[dict[str, Any], str | None]]:
    rows = tablet.store.conn.execute(
        "SELECT payload, assignment_version, gps_time FROM outbox"
        " WHERE stream = 'events' AND type = 'form_answer' ORDER BY stream_seq"
    ).fetchall()
    return [
        ({**json.loads(r["payload"]), "_asg_version": r["assignment_version"]}, r["gps_time"])
        for r in rows
    ]


def choice(dialog: FormDialog, question: str, text: str) -> QPushButton:
    buttons = dialog.findChildren(QPushButton, f"choice-{question}")
    return next(b for b in buttons if b.text() == text)


@pytest.fixture
def route() -> Route:
    return waterloo_route(6)


@pytest.fixture
def tablet(tmp_path: Path, route: Route) -> Iterator[Tablet]:
    t = make_tablet(tmp_path, route)
    pull_changes(t, [form_change(PILOT_FEEDBACK, 2), form_change(PILOT_END_OF_SHIFT)])
    yield t
    close_tablet(t)


@pytest.fixture
def window(qtbot: QtBot, tablet: Tablet) -> Iterator[OperatorWindow]:
    win = OperatorWindow(tablet, theme_mode="day")
    win.resize(1280, 800)
    wait_for_map(qtbot, win)
    yield win
    delete_widget(win)


def test_feedback_is_refused_while_moving(
    qtbot: QtBot, window: OperatorWindow, tablet: Tablet, route: Route
) -> None:
    assert window.feedback_button.minimumHeight() >= 64
    move_off(tablet, route.segments[1], 15.0)
    qtbot.mouseClick(window.feedback_button, Qt.MouseButton.LeftButton)
    assert window.form_dialog is None
    assert window.toast.text() == "Stop the vehicle to give feedback"
    assert form_answers(tablet) == []


def test_feedback_when_stopped_is_one_fact_with_its_context(
    qtbot: QtBot, window: OperatorWindow, tablet: Tablet, route: Route, tmp_path: Path
) -> None:
    segment = route.segments[2]
    fix = stopped_at(segment)
    tablet.record_fix(fix)
    qtbot.mouseClick(window.feedback_button, Qt.MouseButton.LeftButton)
    dialog = window.form_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.view.title.text() == PILOT_FEEDBACK["title"]
    qtbot.mouseClick(choice(dialog, "topic", "Swept colours"), Qt.MouseButton.LeftButton)
    edit = dialog.findChild(QLineEdit, "input-text")
    assert edit is not None
    QTest.keyClicks(edit, "Blue lagged behind on King")
    shot = Path(os.environ.get("SWEEPLINE_SHOTS", tmp_path)) / "feedback_dialog.png"
    dialog.grab().save(str(shot))

    # Moving off closes it; what was entered comes back when stopped again.
    move_off(tablet, segment, 10.0)
    assert window.form_dialog is None
    assert form_answers(tablet) == []
    stop(tablet, segment)
    window.open_feedback()
    dialog = window.form_dialog
    assert dialog is not None
    assert dialog.view.answers() == {"topic": "Swept colours", "text": "Blue lagged behind on King"}
    qtbot.mouseClick(dialog.view.send_button, Qt.MouseButton.LeftButton)

    assert window.form_dialog is None
    answers = form_answers(tablet)
    assert len(answers) == 1
    payload, gps_time = answers[0]
    assert payload["form_id"] == "pilot-feedback"
    assert payload["form_version"] == 2
    assert payload["answers"] == {"topic": "Swept colours", "text": "Blue lagged behind on King"}
    assert payload["segment_id"] == segment.id
    assert payload["lat"] == pytest.approx(fix.lat)
    assert payload["lon"] == pytest.approx(fix.lon)
    assert payload["assignment_id"] == "asg-test-1"
    assert payload["route_id"] == route.id
    assert payload["_asg_version"] == 1
    assert gps_time is not None
    assert "Thank you" in window.toast.text()


def test_end_of_shift_survey_follows_the_accepted_check(
    qtbot: QtBot, window: OperatorWindow, tablet: Tablet, route: Route
) -> None:
    qtbot.mouseClick(window.shift_button, Qt.MouseButton.LeftButton)
    stop(tablet, route.segments[0])
    qtbot.mouseClick(window.shift_button, Qt.MouseButton.LeftButton)
    end = window.end_dialog
    assert end is not None
    assert window.form_dialog is None  # not before the check is accepted
    qtbot.mouseClick(end.leave_rest_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(end.end_button, Qt.MouseButton.LeftButton)
    assert not tablet.shift_active

    survey = window.form_dialog
    assert survey is not None
    assert survey.isVisible()
    assert survey.form_id == "pilot-end-of-shift"
    # Required questions are checked before anything is recorded.
    qtbot.mouseClick(survey.view.send_button, Qt.MouseButton.LeftButton)
    assert survey.view.error.text()
    assert form_answers(tablet) == []
    qtbot.mouseClick(choice(survey, "map_useful", "4"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(choice(survey, "colours_matched", "Yes"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(choice(survey, "obstacle", "Parked cars"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(survey.view.send_button, Qt.MouseButton.LeftButton)

    answers = form_answers(tablet)
    assert len(answers) == 1
    payload = answers[0][0]
    assert payload["form_id"] == "pilot-end-of-shift"
    assert payload["form_version"] == 1
    assert payload["answers"] == {
        "map_useful": 4,
        "colours_matched": True,
        "obstacle": "Parked cars",
    }
    assert payload["segment_id"] == route.segments[0].id


def test_no_survey_when_the_form_is_not_cached(qtbot: QtBot, tmp_path: Path, route: Route) -> None:
    tablet = make_tablet(tmp_path, route)
    win = OperatorWindow(tablet, theme_mode="day")
    try:
        win.resize(1280, 800)
        wait_for_map(qtbot, win)
        stop(tablet, route.segments[0])
        win.open_feedback()
        assert win.form_dialog is None
        assert "not on this tablet" in win.toast.text()
        with pytest.raises(LookupError, match="pilot-feedback"):
            tablet.answer_form("pilot-feedback", {"topic": "Map"})
    finally:
        delete_widget(win)
        close_tablet(tablet)


def test_markup_in_a_form_label_is_shown_as_text(
    qtbot: QtBot, tablet: Tablet, window: OperatorWindow, route: Route
) -> None:
    hostile = {
        "id": "pilot-feedback",
        "title": MARKUP,
        "questions": [
            {"id": "topic", "type": "single_choice", "label": MARKUP, "choices": [MARKUP, "Map"]},
            {"id": "text", "type": "short_text", "label": "Say more", "help": MARKUP},
        ],
    }
    pull_changes(tablet, [form_change(hostile, 3)])
    stop(tablet, route.segments[0])
    window.open_feedback()
    dialog = window.form_dialog
    assert dialog is not None
    labels = [lbl for lbl in dialog.findChildren(QLabel) if MARKUP in lbl.text()]
    assert len(labels) == 3  # title, label, help
    assert all(lbl.textFormat() == Qt.TextFormat.PlainText for lbl in labels)
    assert choice(dialog, "topic", MARKUP).text() == MARKUP
    qtbot.mouseClick(choice(dialog, "topic", MARKUP), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.view.send_button, Qt.MouseButton.LeftButton)
    payload = form_answers(tablet)[0][0]
    assert payload["form_version"] == 3
    assert payload["answers"] == {"topic": MARKUP}
