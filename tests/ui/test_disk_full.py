"""A full disk while the operator works: every action that writes says so in words and
the window stays; what was saved before is kept; the note typed is not lost; and the
application's shutdown completes every step even when ending the shift fails.

The disk is made full for real: SQLite's page limit on the tablet's own file."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.tablet import Tablet
from client.errors import StorageError
from client.models import CurbSide, ExceptionKind
from coverage.model import Route
from tests.ui.conftest import delete_widget, wait_for_map, waterloo_route
from tests.ui.operator_rig import close_tablet, make_tablet, stopped_at
from ui.operator_run import _shut_down
from ui.operator_window import OperatorWindow


@pytest.fixture
def tablet(tmp_path: Path) -> Iterator[Tablet]:
    t = make_tablet(tmp_path, waterloo_route(4))
    yield t
    close_tablet(t)


@pytest.fixture
def window(qtbot: QtBot, tablet: Tablet) -> Iterator[OperatorWindow]:
    win = OperatorWindow(tablet, theme_mode="day")
    win.resize(1280, 800)
    wait_for_map(qtbot, win)
    yield win
    delete_widget(win)


def _fill_the_disk(tablet: Tablet) -> None:
    pages = tablet.store.conn.execute("PRAGMA page_count").fetchone()[0]
    tablet.store.conn.execute(f"PRAGMA max_page_count = {pages}")
    n = 0
    for size in (2000, 200, 20, 1):  # use up the free pages and the room left in pages
        while True:
            n += 1
            try:
                tablet.store.set_kv(f"filler-{n}", "x" * size)
            except StorageError:
                break
    for _ in range(100_000):  # and the room left in the outbox's own pages
        try:
            tablet.record_exception("parked_cars", "right")
        except StorageError:
            return
    raise AssertionError("the disk never filled")


def _outbox_size(tablet: Tablet) -> int:
    return int(tablet.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0])


def test_every_writing_action_reports_a_full_disk_and_the_window_stays(
    qtbot: QtBot, window: OperatorWindow, tablet: Tablet
) -> None:
    route: Route = tablet.assignment.route  # type: ignore[union-attr]
    tablet.record_fix(stopped_at(route.segments[0]))
    tablet.start_shift()
    _fill_the_disk(tablet)
    saved = _outbox_size(tablet)
    big = "x" * 200_000  # more than the pages left

    window.report_exception(ExceptionKind.PARKED_CARS, CurbSide.RIGHT)
    assert "Not saved" in window.toast.text()
    assert "full" in window.toast.text()

    window.open_note()
    assert window.note_dialog is not None
    window.note_dialog.editor.setPlainText(big)
    window.note_dialog.accept()
    qtbot.wait_until(lambda: window.note_dialog is None)
    assert "Not saved" in window.toast.text()
    assert window.note_draft == big  # kept for the next try

    window.toast.setText("")
    window._on_message_strip_acknowledged("no-such-message")
    window._on_shift_button_clicked()  # ending the shift writes too
    assert window.isVisible()
    assert _outbox_size(tablet) == saved  # nothing half-written, nothing lost


def test_shutdown_completes_every_step_when_the_disk_is_full(tablet: Tablet) -> None:
    route: Route = tablet.assignment.route  # type: ignore[union-attr]
    tablet.record_fix(stopped_at(route.segments[0]))
    tablet.start_shift()
    tablet.set_network_enabled(False)
    _fill_the_disk(tablet)
    asyncio.run(_shut_down(tablet, tablet.store, None))
    with pytest.raises(Exception, match="closed"):
        tablet.store.conn.execute("SELECT 1")
