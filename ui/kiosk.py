"""Kiosk mode: the operator window full screen, with no way out but the configured exit.

The window becomes frameless, stays on top and full screen; closing it (Alt+F4, the
window manager) is refused; the one exit is the administrator's shortcut from the
managed config (`kiosk_exit_shortcut`). Restart after a crash is the supervisor's job
(`client.crash_restart`), outside this process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

log = logging.getLogger("sweepline.ui.kiosk")


class KioskGuard(QObject):
    """Keeps `window` full screen and refuses to let it close until `release()`."""

    def __init__(self, window: QWidget, exit_shortcut: str, on_exit: Callable[[], object]) -> None:
        super().__init__(window)
        self._window = window
        self._released = False
        self._on_exit = on_exit
        self.shortcut: QShortcut | None = None
        window.setWindowFlags(
            window.windowFlags()
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
        )
        window.installEventFilter(self)
        if exit_shortcut:
            self.shortcut = QShortcut(QKeySequence(exit_shortcut), window)
            self.shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            self.shortcut.activated.connect(self._on_shortcut_activated)
        window.showFullScreen()
        log.info("kiosk mode: full screen; exit only through %s", exit_shortcut or "power off")

    @property
    def released(self) -> bool:
        return self._released

    def release(self) -> None:
        """Let the window close from now on (the configured exit was used)."""
        self._released = True

    def _on_shortcut_activated(self) -> None:
        log.info("kiosk mode: exit shortcut used")
        self.release()
        self._on_exit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and not self._released:
            if event.type() == QEvent.Type.Close:
                event.ignore()
                return True
            if event.type() == QEvent.Type.WindowStateChange and not self._window.isFullScreen():
                self._window.showFullScreen()
        return False
