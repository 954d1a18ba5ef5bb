"""Start-up of the operator window: the window before the core, on the cached route.

A logged-in operator's window shows its map first, with what it showed when the
application last ran (or the cached route, coloured as recorded); the panels, the
core and the network come after the page's first paint (docs/startup.md). The
`--startup-check` report lives here too: it says when the route is on the map.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from client.store import Store
    from ui.operator_window import OperatorWindow
    from ui.tablet_protocol import TabletLike

log = logging.getLogger("sweepline")

# Loaded on a worker thread while the map page loads, in the order start-up needs them:
# what colours the cached route, the panels around the map, the core and its loop.
FIRST_ROUTE_MODULES = ("client.assignments", "client.coverage_store", "ui.segment_views")
PANEL_MODULES = (
    "ui.core_bridge",
    "ui.exceptions_bar",
    "ui.messages_strip",
    "ui.progress_panel",
    "ui.status_panel",
    "ui.shift",
)
CORE_MODULES = (
    "qasync",
    "client.outbox",
    "client.forms",
    "sync.engine",
    "app.tablet",
)
# Background work (keyring, sync) waits at most this long for the map's first paint.
FIRST_PAINT_WAIT_S = 3.0


def show_operator_frame(
    store: Store,
    theme: str,
    report: StartupReport | None,
    start_logging: Callable[[], None],
    size: tuple[int, int] = (1280, 800),
) -> OperatorWindow:
    """The operator window before the core exists, showing the cached route.

    The window shows with its map alone, so Chromium starts loading the page at once,
    with what the map showed when the application last ran (client.map_snapshot). Without
    one, the cached route is coloured from the recorded coverage as soon as the modules
    that do it have loaded on a worker thread. The panels and the core are made once the
    page has drawn the route (docs/startup.md)."""
    from client.map_snapshot import load_map_snapshot
    from client.version import VERSION
    from ui.background_imports import BackgroundImports
    from ui.operator_window import OperatorWindow

    window = OperatorWindow(theme_mode=theme, panels_later=True)
    window.setWindowTitle(f"{window.windowTitle()} {VERSION}")
    window.resize(*size)
    segments: int | None = None
    snapshot = load_map_snapshot(store)
    if snapshot is not None:
        try:
            segments = window.map_view.show_snapshot(snapshot)
        except ValueError as exc:
            log.warning("map snapshot not shown: %s", exc)
    window.show()
    if segments is None:
        BackgroundImports(FIRST_ROUTE_MODULES).wait()
        segments = draw_cached_route(window, store)
    if segments is not None:
        if report is not None:
            report.watch(window.map_view, segments)
        untilfirst_paint(window, FIRST_PAINT_WAIT_S)
    start_logging()
    imports = BackgroundImports(PANEL_MODULES, CORE_MODULES)
    imports.wait(0)
    window.build_panels()
    imports.wait()
    return window


def draw_cached_route(window: OperatorWindow, store: Store) -> int | None:
    """The cached assignment's route on the map, coloured as recorded, before the core
    exists (the core draws the same again when it attaches: only changes are sent).
    Its number of segments, or None when no assignment is cached."""
    from client.assignments import AssignmentCache
    from client.coverage_store import load_coverage
    from ui.segment_views import page_labels, route_views

    assignment = AssignmentCache(store).current()
    if assignment is None:
        return None
    coverage = load_coverage(store, assignment)
    window.map_view.set_labels(page_labels())
    window.map_view.show_route_views(
        assignment.route, route_views(assignment.route, coverage.explain)
    )
    return len(assignment.route.segments)


def untilfirst_paint(window: OperatorWindow, timeout_s: float) -> None:
    """Qt's event loop until the page reports a route drawn, fails, or `timeout_s`."""
    from PySide6.QtCore import QEventLoop, QTimer

    view = window.map_view
    if view.drawn_segments is not None:
        return
    loop = QEventLoop()
    view.route_drawn.connect(loop.quit)
    view.load_failed.connect(loop.quit)
    QTimer.singleShot(int(timeout_s * 1000), loop, loop.quit)
    loop.exec()
    view.route_drawn.disconnect(loop.quit)
    view.load_failed.disconnect(loop.quit)


class StartupReport:
    """`--startup-check`: one line, once, when the page reports the whole route drawn."""

    def __init__(self, started: float) -> None:
        self.started = started  # time.perf_counter() when the process began
        self.printed = False

    def watch(self, view: Any, segments: int) -> None:
        def on_drawn(drawn: int) -> None:
            if drawn == segments:
                self.say(drawn)

        view.route_drawn.connect(on_drawn)

    def say_complete(self) -> None:
        print(
            "start-up check: window complete (its panels, enabled on the core) "
            f"{(time.perf_counter() - self.started) * 1000:.0f} ms after launch",
            flush=True,
        )

    def say(self, segments: int) -> None:
        if self.printed:
            return
        self.printed = True
        print(
            f"start-up check: route of {segments} segments on the map "
            f"{(time.perf_counter() - self.started) * 1000:.0f} ms after launch",
            flush=True,
        )


async def first_paint(window: OperatorWindow, timeout_s: float) -> None:
    """Until the page reports the route drawn (or fails to load), or `timeout_s`."""
    view = window.map_view
    if view.drawn_segments is not None:
        return
    done = asyncio.get_running_loop().create_future()

    def settle(*_: object) -> None:
        if not done.done():
            done.set_result(None)

    view.route_drawn.connect(settle)
    view.load_failed.connect(settle)
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done, timeout=timeout_s)
    finally:
        view.route_drawn.disconnect(settle)
        view.load_failed.disconnect(settle)


async def report_route_on_map(
    window: OperatorWindow, tablet: TabletLike, report: StartupReport
) -> int:
    """`--startup-check`: wait until the page reports the whole route drawn, say how
    long start-up took (unless the cached route said it already), and end (0), or 1 when
    the map cannot load. With no assignment at all the application ends on its own (1)."""
    view = window.map_view
    settled = asyncio.Event()

    def whole_route(segments: int | None) -> bool:
        # A session resumed with a signal may draw "no route" before fetching today's.
        route = tablet.assignment.route if tablet.assignment is not None else None
        return route is not None and segments == len(route.segments)

    def on_drawn(segments: int) -> None:
        if whole_route(segments):
            report.say(segments)
            settled.set()

    if whole_route(view.drawn_segments):
        report.say(view.drawn_segments or 0)
        return 0
    view.route_drawn.connect(on_drawn)
    view.load_failed.connect(settled.set)
    await settled.wait()
    if not report.printed:
        print("start-up check: the map page did not load", file=sys.stderr)
        return 1
    return 0
