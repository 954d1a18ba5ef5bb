"""MotionGate: the in-cab rule's switch on screen (no typing while moving).

The decision is `app.motion_lock.MotionLock` (smoothed speed, hysteresis, unknown counts
as moving unless stopped before); this wrapper turns its changes into a Qt signal.
Widgets ask `is_moving` before opening a dialog that needs typing or reading and listen
to `moving_changed` to close one.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, Signal

from app.motion_lock import MotionLock


class MotionGate(QObject):
    moving_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lock = MotionLock()

    @property
    def is_moving(self) -> bool:
        return self.lock.locked

    def update(self, t: datetime, speed_kmh: float | None) -> None:
        """The speed at `t` (the fix's time); None when there is no fresh speed."""
        if self.lock.observe(t, speed_kmh):
            self.moving_changed.emit(self.lock.locked)
