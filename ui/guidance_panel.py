"""GuidancePanel: where the vehicle is and where to go next, at the top of the side panel.

"Now" is the street under the vehicle and the curb being brushed (the exception bar's
side); "Next" is `coverage.guidance.next_segment`: the street, the curb sides left, the
distance and an arrow pointing to it (north up, as the map). Both lines wrap instead of
being cut, in English and French.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from coverage.guidance import NextSegment, compass_point
from ui.formatting import kilometres
from ui.segment_views import side_name
from ui.themes import DAY, Theme

FONT_PX = 20
COMPACT_FONT_PX = 17
ARROW_PX = 40
ARROWS = "↑↗→↘↓↙←↖"


def _label(parent: QWidget, name: str, pixels: int, bold: bool = False) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
    font = QFont(label.font())
    font.setPixelSize(pixels)
    font.setBold(bold)
    label.setFont(font)
    return label


def distance_text(metres: float) -> str:
    """Metres under a kilometre (rounded to 10 m), else kilometres; a no-break space keeps
    the number and its unit on one line."""
    if metres < 1000:
        return f"{int(round(metres / 10) * 10)}\u00a0m"
    return kilometres(metres).replace(" ", "\u00a0")


class GuidancePanel(QWidget):
    """Two lines: "Now: street · curb" and "Next: arrow street · sides · distance"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("GuidancePanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._theme = DAY
        self.next: NextSegment | None = None
        self.now_label = _label(self, "guidance_now", FONT_PX, bold=True)
        self.arrow_label = QLabel(self)
        self.arrow_label.setObjectName("guidance_arrow")
        font = QFont(self.arrow_label.font())
        font.setPixelSize(ARROW_PX)
        font.setBold(True)
        self.arrow_label.setFont(font)
        self.arrow_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.arrow_label.setFixedSize(ARROW_PX + 8, ARROW_PX + 16)
        self.next_label = _label(self, "guidance_next", FONT_PX)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.arrow_label, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.next_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setSpacing(2)
        layout.addWidget(self.now_label)
        layout.addLayout(row)
        self.show_guidance(None, None, "right", None)

    def show_guidance(
        self, street: str | None, on_route: bool | None, side: str, nxt: NextSegment | None
    ) -> None:
        """`street` under the vehicle (None: off the route or no fix), the curb `side`
        being brushed, and the next segment (None: nothing left, or no fix)."""
        self.next = nxt
        if street:
            self.now_label.setText(
                self.tr("Now: %1, %2 curb").replace("%1", street).replace("%2", side_name(side))
            )
        elif on_route is None:
            self.now_label.setText(self.tr("Now: waiting for GPS"))
        else:
            self.now_label.setText(self.tr("Now: off the route"))
        if nxt is None:
            self.arrow_label.setText("✓" if on_route is not None else "")
            self.next_label.setText(
                self.tr("Next: nothing left to sweep")
                if on_route is not None
                else self.tr("Next: shown with the first GPS fix")
            )
            return
        self.arrow_label.setText(ARROWS[compass_point(nxt.bearing_deg)])
        sides = " + ".join(side_name(s) for s in nxt.sides)
        self.next_label.setText(
            self.tr("Next: %1, %2 curb, %3")
            .replace("%1", nxt.street)
            .replace("%2", sides)
            .replace("%3", distance_text(nxt.distance_m))
        )

    def set_compact(self, compact: bool) -> None:
        """Smaller type for a small screen."""
        pixels = COMPACT_FONT_PX if compact else FONT_PX
        for label in (self.now_label, self.next_label):
            font = QFont(label.font())
            font.setPixelSize(pixels)
            label.setFont(font)

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.arrow_label.setStyleSheet(f"color: {theme.checked};")
