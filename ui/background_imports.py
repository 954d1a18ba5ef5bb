"""Importing the application's modules on a worker thread while Qt's event loop runs.

At start-up the map page loads while the rest of the application loads. Chromium's side
of that page (its requests, the channel, each painted frame) runs on the GUI thread, and
one module import holds a thread for up to tens of milliseconds. Imported on a worker
thread, the modules load while the GUI thread keeps serving the page: Qt's loop releases
the GIL while it waits, and the worker hands the GIL over every millisecond meanwhile
instead of every five.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Sequence

from PySide6.QtCore import QEventLoop, QObject, Signal

# How often the importing thread offers the GIL to the GUI thread (Python's default: 5 ms).
SWITCH_INTERVAL_S = 0.001


class _Progress(QObject):
    """Lives on the GUI thread; emitted from the worker, so delivered through its loop."""

    group_done = Signal()


class BackgroundImports:
    """Imports `groups` of modules, in order, on one worker thread (started at once).

    `wait(i)` runs Qt's event loop until group `i` (and those before it) is imported, so
    a caller takes up its work as soon as the modules it needs are there.
    """

    def __init__(self, *groups: Sequence[str]) -> None:
        self._groups = [tuple(group) for group in groups]
        self._done = [threading.Event() for _ in self._groups]
        self._error: BaseException | None = None
        self._progress = _Progress()
        self._interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        self._thread = threading.Thread(target=self._import, name="sweepline-imports", daemon=True)
        self._thread.start()

    def _import(self) -> None:
        try:
            for names, done in zip(self._groups, self._done, strict=True):
                for name in names:
                    importlib.import_module(name)
                done.set()
                self._progress.group_done.emit()
        except BaseException as exc:  # reported by `wait`, on the thread that waits
            self._error = exc
        finally:
            sys.setswitchinterval(self._interval)
            for done in self._done:
                done.set()
            self._progress.group_done.emit()

    def wait(self, group: int = -1) -> None:
        """Until group `group` (default: the last) is imported, handling Qt's events.

        Raises ImportError when a module could not be imported."""
        done = self._done[group]
        if not done.is_set():
            loop = QEventLoop()
            # Connected before the check: a group finished after it still wakes the loop.
            self._progress.group_done.connect(loop.quit)
            try:
                while not done.is_set():
                    loop.exec()
            finally:
                self._progress.group_done.disconnect(loop.quit)
        if done is self._done[-1] or self._error is not None:
            self._thread.join()  # its last steps (the GIL's interval back) are done too
        if self._error is not None:
            raise ImportError(f"start-up could not load a module: {self._error}") from self._error
