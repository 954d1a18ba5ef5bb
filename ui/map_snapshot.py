"""Keeping what the operator's map shows, for the next start's first paint.

The snapshot is saved a few seconds after the map last changed (one write for a burst
of recoloured segments) and when the window closes. A crash loses at most those
seconds: at the next start the core redraws from the recorded coverage anyway, and the
snapshot only decides what the first frame shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from client.errors import StorageError
from ui.route_map import RouteMap

log = logging.getLogger("sweepline.ui.map_snapshot")

SAVE_AFTER_MS = 5000


class MapSnapshotKeeper(QObject):
    """Calls `save(snapshot)` once the map has been still for SAVE_AFTER_MS, and on
    `save_now`. A failed write (disk full) is logged; the next change tries again."""

    def __init__(
        self, view: RouteMap, save: Callable[[str], None], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._save = save
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_AFTER_MS)
        self._timer.timeout.connect(self.save_now)
        view.shown_changed.connect(self.save_soon)

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def save_soon(self) -> None:
        self._timer.start()

    def save_now(self) -> None:
        self._timer.stop()
        text = self._view.snapshot()
        if text is None:
            return
        try:
            self._save(text)
        except StorageError as exc:
            log.warning("map snapshot not saved: %s", exc)
