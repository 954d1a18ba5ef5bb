"""MotionGate: is the vehicle moving faster than walking pace? The in-cab rule's switch.

While moving faster than 5 km/h there is no text entry and no dialog that needs reading;
widgets ask `is_moving` before opening one and listen to `moving_changed` to close one.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

MOVING_KMH = 5.0


class MotionGate(QObject):
    moving_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._moving = False

    @property
    def is_moving(self) -> bool:
        return self._moving

    def update(self, speed_kmh: float | None) -> None:
        """The latest speed; None (no fresh fix) counts as stopped."""
        moving = speed_kmh is not None and speed_kmh > MOVING_KMH
        if moving != self._moving:
            self._moving = moving
            self.moving_changed.emit(moving)
