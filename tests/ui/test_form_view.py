"""The Qt form renderer: built from the definition, markup shown as text, answers checked
with the server's rules, and recorded through the outbox with their context."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from client.forms import AnswerContext, FormAnswerError, FormCache, record_answer
from client.outbox import Outbox
from client.store import Store
from ui.form_view import FormView
from wire.forms import check_definition

MARKUP = "<img src=x onerror=alert(1)><b>bold</b>"
DEFINITION: dict[str, Any] = {
    **check_definition(
        {
            "id": "pilot",
            "title": f"Survey {MARKUP}",
            "questions": [
                {"id": "rating", "type": "rating", "label": "Rate", "required": True},
                {"id": "ok", "type": "yes_no", "label": MARKUP, "help": "</script>"},
                {
                    "id": "issue",
                    "type": "single_choice",
                    "label": "Issue",
                    "choices": ["none", MARKUP],
                },
                {
                    "id": "used",
                    "type": "multiple_choice",
                    "label": "Used",
                    "choices": ["map", "chart"],
                },
                {"id": "stops", "type": "number", "label": "Stops", "max": 10},
                {"id": "comment", "type": "short_text", "label": "Comment", "max_length": 20},
            ],
        }
    ),
    "version": 3,
}


def _choice(view: FormView, qid: str, text: str) -> QPushButton:
    return next(b for b in view.findChildren(QPushButton, f"choice-{qid}") if b.text() == text)


def test_markup_is_shown_as_text(qtbot: QtBot) -> None:
    view = FormView(DEFINITION)
    qtbot.addWidget(view)
    labels = view.findChildren(QLabel)
    assert all(label.textFormat().name == "PlainText" for label in labels)
    texts = {label.text() for label in labels}
    assert f"Survey {MARKUP}" in texts
    assert MARKUP in texts
    assert "</script>" in texts
    assert _choice(view, "issue", MARKUP).text() == MARKUP


def test_answers_are_checked_then_submitted(qtbot: QtBot) -> None:
    view = FormView(DEFINITION)
    qtbot.addWidget(view)
    with qtbot.assert_not_emitted(view.submitted):
        view.send_button.click()
    assert "'rating' is required" in view.error.text()
    _choice(view, "rating", "4").click()
    _choice(view, "ok", "No").click()
    _choice(view, "used", "map").click()
    _choice(view, "used", "chart").click()
    stops = view.findChild(QLineEdit, "input-stops")
    assert stops is not None
    stops.setText("11")
    with qtbot.assert_not_emitted(view.submitted):
        view.send_button.click()
    assert "above the maximum 10" in view.error.text()
    stops.setText("2")
    comment = view.findChild(QLineEdit, "input-comment")
    assert comment is not None
    comment.setText("x" * 40)  # capped by maxLength
    with qtbot.wait_signal(view.submitted) as blocker:
        view.send_button.click()
    assert blocker.args == [
        {"rating": 4, "ok": False, "used": ["map", "chart"], "stops": 2, "comment": "x" * 20}
    ]
    assert view.error.text() == ""


def test_cache_and_outbox_record_the_answer_with_its_context(tmp_path: Path) -> None:
    store = Store(tmp_path / "tablet.sqlite", device_id="dev-1")
    try:
        cache = FormCache(store)
        value = {k: v for k, v in DEFINITION.items()}
        changed = cache.apply(
            [
                {"op": "put", "entity": "form", "id": "pilot", "version": 3, "value": value},
                {
                    "op": "put",
                    "entity": "form",
                    "id": "broken",
                    "version": 1,
                    "value": {"id": "broken", "title": "x", "questions": []},
                },
                {"op": "put", "entity": "assignment", "id": "a", "version": 1, "value": {}},
            ]
        )
        assert changed
        assert [f["id"] for f in cache.all()] == ["pilot"]
        form = cache.get("pilot")
        assert form is not None
        assert form["version"] == 3
        outbox = Outbox(store)
        context = AnswerContext(
            answered_at="2026-05-01T15:00:00Z",
            assignment_id="asg-1",
            assignment_version=2,
            route_id="r1",
            segment_id="s9",
            lat=42.37,
            lon=-71.1,
            gps_time="2026-05-01T15:00:00Z",
        )
        with pytest.raises(FormAnswerError, match="'rating' is required"):
            record_answer(outbox, form, {"ok": True}, context)
        seq = record_answer(outbox, form, {"rating": 5, "comment": ""}, context)
        row = store.conn.execute(
            "SELECT type, payload, assignment_version, gps_time FROM outbox"
            " WHERE stream = 'events' AND stream_seq = ?",
            (seq,),
        ).fetchone()
        assert row["type"] == "form_answer"
        assert row["assignment_version"] == 2
        assert json.loads(row["payload"]) == {
            "form_id": "pilot",
            "form_version": 3,
            "answers": {"rating": 5},
            "answered_at": "2026-05-01T15:00:00Z",
            "assignment_id": "asg-1",
            "route_id": "r1",
            "segment_id": "s9",
            "lat": 42.37,
            "lon": -71.1,
        }
        assert cache.apply([], reset=True)
        assert cache.all() == []
    finally:
        store.close()
