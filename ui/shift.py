"""The shift's screens: today's assignment in the top bar, and the end-of-shift check.

The end-of-shift check lists every segment not swept; each needs a reason (parked cars,
construction, blocked, road closed, other) or a tap on "Leave open" before the shift can
end. It is a reading dialog, so it is only offered when the vehicle is stopped, and it
closes (keeping the choices) if the vehicle moves off.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from client.models import Assignment
from coverage.model import Segment
from ui.formatting import kilometres

TOUCH_PX = 64
LEAVE_OPEN = "open"


def assignment_summary(
    assignment: Assignment | None, tr_none: str, tr_fmt: str, curb_m: float | None = None
) -> str:
    """One line: route, vehicle, date, length and segment count. With `curb_m` the length
    is the route's curb-km as a bare number (the format says the unit), as the progress
    panel counts it; else the street length in km."""
    if assignment is None:
        return tr_none
    route = assignment.route
    length = kilometres(route.length_m) if curb_m is None else f"{curb_m / 1000:.1f}"
    return (
        tr_fmt.replace("%1", route.name)
        .replace("%2", assignment.vehicle)
        .replace("%3", assignment.date)
        .replace("%4", length)
        .replace("%5", str(len(route.segments)))
    )


class EndOfShiftDialog(QDialog):
    """Every unswept segment: a reason or "leave open"; "End shift" once all are answered."""

    def __init__(self, segments: list[Segment], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("EndOfShiftDialog")
        self.setWindowTitle(self.tr("End of shift"))
        self.setModal(True)
        self.choices: dict[str, str] = {}
        self.groups: dict[str, QButtonGroup] = {}
        self.buttons: dict[tuple[str, str], QPushButton] = {}

        heading = QLabel(
            self.tr("These streets are not swept. Give a reason, or leave them open."), self
        )
        heading.setWordWrap(True)
        font = QFont(heading.font())
        font.setPixelSize(24)
        font.setBold(True)
        heading.setFont(font)

        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(8)
        from coverage.explain import NotSweptReason  # with the first end of shift

        options = [*(r.value for r in NotSweptReason), LEAVE_OPEN]
        for row, segment in enumerate(segments):
            name = QLabel(f"{segment.street or segment.id}\n{segment.length_m:.0f} m", grid_host)
            name.setTextFormat(Qt.TextFormat.PlainText)
            name.setMinimumWidth(220)
            name_font = QFont(name.font())
            name_font.setPixelSize(20)
            name.setFont(name_font)
            grid.addWidget(name, row, 0)
            group = QButtonGroup(self)
            group.setExclusive(True)
            self.groups[segment.id] = group
            for col, option in enumerate(options, start=1):
                button = QPushButton(self.option_label(option), grid_host)
                button.setObjectName(f"choice_{option}")
                button.setCheckable(True)
                button.setMinimumSize(TOUCH_PX + 36, TOUCH_PX)
                button.clicked.connect(
                    lambda _c=False, sid=segment.id, o=option: self._choose(sid, o)
                )
                group.addButton(button)
                self.buttons[(segment.id, option)] = button
                grid.addWidget(button, row, col)
        scroll = QScrollArea(self)
        scroll.setWidget(grid_host)
        scroll.setWidgetResizable(True)

        self.leave_rest_button = QPushButton(self.tr("Leave the rest open"), self)
        self.leave_rest_button.setObjectName("leave_rest_open")
        self.leave_rest_button.clicked.connect(self._leave_rest_open)
        self.cancel_button = QPushButton(self.tr("Keep sweeping"), self)
        self.cancel_button.setObjectName("keep_sweeping")
        self.cancel_button.clicked.connect(self.reject)
        self.end_button = QPushButton(self.tr("End shift"), self)
        self.end_button.setObjectName("confirm_end_shift")
        self.end_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.leave_rest_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.end_button)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self._segment_ids = [s.id for s in segments]
        self._update()

    def option_label(self, option: str) -> str:
        return {
            "parked_cars": self.tr("Parked\ncars"),
            "construction": self.tr("Construction"),
            "blocked": self.tr("Blocked"),
            "closed": self.tr("Road\nclosed"),
            "other": self.tr("Other"),
            LEAVE_OPEN: self.tr("Leave\nopen"),
        }[option]

    def choose(self, segment_id: str, option: str) -> None:
        """As a tap on that row's button."""
        self.buttons[(segment_id, option)].click()

    def _choose(self, segment_id: str, option: str) -> None:
        self.choices[segment_id] = option
        self._update()

    def _leave_rest_open(self) -> None:
        for sid in self._segment_ids:
            if sid not in self.choices:
                self.choose(sid, LEAVE_OPEN)

    def _update(self) -> None:
        missing = len(self._segment_ids) - len(self.choices)
        self.end_button.setEnabled(missing == 0)
        self.end_button.setText(
            self.tr("End shift")
            if missing == 0
            else self.tr("%1 to answer").replace("%1", str(missing))
        )

    def reasons(self) -> dict[str, str]:
        return {sid: o for sid, o in self.choices.items() if o != LEAVE_OPEN}

    def left_open(self) -> list[str]:
        return [sid for sid, o in self.choices.items() if o == LEAVE_OPEN]
