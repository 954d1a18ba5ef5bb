"""The one way the application makes its QApplication and runs a coroutine on the
Qt event loop (qasync), for the window and for the headless self-test alike."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

from PySide6.QtWidgets import QApplication

import ui.map_view  # noqa: F401  (QtWebEngineWidgets must load before the QApplication)
from ui.scheme import register_url_scheme
from ui.webengine_flags import apply_webengine_flags

T = TypeVar("T")


def make_application() -> QApplication:
    register_url_scheme()  # must precede the QApplication
    apply_webengine_flags()  # read once, when QtWebEngine starts
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Sweepline")
    app.setOrganizationName("Sweepline")
    # The coroutine run on it decides when to stop, after flushing and closing cleanly;
    # Qt quitting on its own would stop the loop under it.
    app.setQuitOnLastWindowClosed(False)
    return app


def run_on_qt(app: QApplication, coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to its end on `app`'s event loop."""
    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        result: T = loop.run_until_complete(coroutine)
    return result
