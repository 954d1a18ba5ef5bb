"""Fixtures for widget tests: the URL scheme registered before any QApplication, real
route data from the bundled Waterloo streets, and a live MapView that is torn down in
the order QtWebEngine needs (page before profile)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

# Importing the web engine widgets and registering the scheme must both happen before
# pytest-qt creates the QApplication; conftest import time is before any fixture runs.
import ui.map_view
from coverage.model import Route, SegmentState, SegmentStatus
from tests.helpers.routes import waterloo_route
from ui.scheme import register_url_scheme

register_url_scheme()

LOAD_TIMEOUT_MS = 30_000


def statuses_for(route: Route, **states: SegmentState) -> dict[str, SegmentStatus]:
    """Every segment not started, except those named in `states`."""
    return {
        s.id: SegmentStatus(s.id, states.get(s.id, SegmentState.NOT_STARTED), 0.0)
        for s in route.segments
    }


def delete_posted() -> None:
    """Run pending deleteLater() calls now rather than in some later test."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def delete_widget(widget: Any) -> None:
    """Close and really delete `widget` now, so its web pages go before their profiles."""
    widget.close()
    widget.deleteLater()
    delete_posted()


def run_js(qtbot: QtBot, map_view: ui.map_view.MapView, expression: str) -> Any:
    """Evaluate `expression` in the map page and return its result, decoded from JSON.

    The result goes through JSON.stringify because QtWebEngine hands JavaScript objects
    back to PySide6 as empty strings; `undefined` comes back as None.
    """
    results: list[Any] = []
    map_view.evaluate_js(f"JSON.stringify({{value: ({expression})}})", results.append)
    qtbot.wait_until(lambda: bool(results), timeout=10_000)
    return json.loads(results[0]).get("value")


def wait_for_map(qtbot: QtBot, widget: QWidget) -> None:
    """Show `widget` and wait until its map page is ready; fail at once if it fails to load.

    `widget` is a MapView or a window with a `map_view` attribute.
    """
    view = widget if isinstance(widget, ui.map_view.MapView) else widget.map_view
    failed: list[bool] = []
    view.load_failed.connect(lambda: failed.append(True))
    widget.show()
    qtbot.wait_until(lambda: view.is_ready or bool(failed), timeout=LOAD_TIMEOUT_MS)
    assert not failed, f"map page failed to load: {view.console_messages}"


@pytest.fixture
def route() -> Route:
    return waterloo_route()


@pytest.fixture
def map_view(qtbot: QtBot) -> Iterator[ui.map_view.MapView]:
    view = ui.map_view.MapView()
    view.resize(900, 650)
    wait_for_map(qtbot, view)
    yield view
    delete_widget(view)


@pytest.fixture
def run(qapp: QApplication) -> Iterator[Callable[[Coroutine[Any, Any, None]], None]]:
    """Run a coroutine on an asyncio loop that also pumps Qt's events every 10 ms: one
    thread, as under main.py's qasync loop (qasync itself crashes on a second
    `run_until_complete` over the same application)."""
    quit_on_close = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)

    async def pumped(coro: Coroutine[Any, Any, None]) -> None:
        async def pump() -> None:
            while True:
                qapp.processEvents()
                await asyncio.sleep(0.01)

        pumping = asyncio.ensure_future(pump())
        try:
            await coro
        finally:
            pumping.cancel()

    yield lambda coro: asyncio.run(pumped(coro))
    qapp.setQuitOnLastWindowClosed(quit_on_close)


async def until(condition: Callable[[], object], timeout_s: float = 10.0) -> None:
    """Wait on the running loop (see `run`) until `condition()` holds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(0.05)
