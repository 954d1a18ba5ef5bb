"""ExceptionBar: report what stops the sweeping in one tap, with the curb side.

The curb side is a sticky choice (right by default: sweepers brush the right curb); each
kind is one large button that reports at once, usable while driving. A note can be added
afterwards, once stopped.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QWidget

from client.models import CurbSide, ExceptionKind

TOUCH_PX = 64
SPACING_PX = 10
KIND_SHORTCUTS = {
    ExceptionKind.PARKED_CARS: "F1",
    ExceptionKind.CONSTRUCTION: "F2",
    ExceptionKind.DEBRIS_PILE: "F3",
    ExceptionKind.BLOCKED: "F4",
    ExceptionKind.OTHER: "F5",
}
SIDE_SHORTCUTS = {CurbSide.RIGHT: "F6", CurbSide.LEFT: "F7", CurbSide.BOTH: "F9"}


class ExceptionBar(QWidget):
    exception_requested = Signal(str, str)  # kind, side
    note_requested = Signal()
    side_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ExceptionBar")
        self.side = CurbSide.RIGHT
        self.side_buttons: dict[CurbSide, QPushButton] = {}
        self.kind_buttons: dict[ExceptionKind, QPushButton] = {}
        self._sides = QButtonGroup(self)
        self._sides.setExclusive(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        for side in CurbSide:
            button = QPushButton(self)
            button.setObjectName(f"side_{side.value}")
            button.setCheckable(True)
            button.setChecked(side is self.side)
            button.setMinimumSize(TOUCH_PX, TOUCH_PX)
            button.clicked.connect(lambda _c=False, s=side: self.set_side(s))
            self._sides.addButton(button)
            self.side_buttons[side] = button
            layout.addWidget(button)
        layout.addSpacing(SPACING_PX)
        for kind in ExceptionKind:
            button = QPushButton(self)
            button.setObjectName(f"exception_{kind.value}")
            button.setMinimumSize(TOUCH_PX, TOUCH_PX)
            button.clicked.connect(
                lambda _c=False, k=kind: self.exception_requested.emit(k.value, self.side.value)
            )
            self.kind_buttons[kind] = button
            layout.addWidget(button, 1)
        layout.addSpacing(SPACING_PX)
        self.note_button = QPushButton(self)
        self.note_button.setObjectName("note_button")
        self.note_button.setMinimumSize(TOUCH_PX, TOUCH_PX)
        self.note_button.clicked.connect(self.note_requested.emit)
        layout.addWidget(self.note_button)
        self.retranslate()

    def set_side(self, side: CurbSide | str) -> None:
        self.side = CurbSide(side)
        self.side_buttons[self.side].setChecked(True)
        self.side_changed.emit()

    def set_moving(self, moving: bool) -> None:
        """Notes need typing: not while moving. The kinds stay available."""
        self.note_button.setEnabled(not moving)

    def kind_label(self, kind: ExceptionKind) -> str:
        return {
            ExceptionKind.PARKED_CARS: self.tr("Parked\ncars"),
            ExceptionKind.CONSTRUCTION: self.tr("Construction"),
            ExceptionKind.DEBRIS_PILE: self.tr("Debris\npile"),
            ExceptionKind.BLOCKED: self.tr("Blocked"),
            ExceptionKind.OTHER: self.tr("Other"),
        }[kind]

    def side_label(self, side: CurbSide) -> str:
        return {
            CurbSide.RIGHT: self.tr("Right\ncurb"),
            CurbSide.LEFT: self.tr("Left\ncurb"),
            CurbSide.BOTH: self.tr("Both\ncurbs"),
        }[side]

    def retranslate(self) -> None:
        for kind, button in self.kind_buttons.items():
            button.setText(self.kind_label(kind))
            button.setToolTip(KIND_SHORTCUTS[kind])
        for side, button in self.side_buttons.items():
            button.setText(self.side_label(side))
            button.setToolTip(SIDE_SHORTCUTS[side])
        self.note_button.setText(self.tr("Add a\nnote"))
        self.note_button.setToolTip("N")
