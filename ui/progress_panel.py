"""ProgressPanel: how much of today's route is swept, readable in one glance.

The percentage is the biggest thing on the panel because it is what the operator looks
for; km left and segment counts back it up.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from client.models import Progress
from maps.page_script import STATE_COLOURS
from ui.formatting import kilometres

PERCENT_FONT_PX = 72
DETAIL_FONT_PX = 24
BAR_HEIGHT_PX = 28
SWEPT_COLOUR = STATE_COLOURS["swept"]


def _sized(label: QLabel, pixels: int, bold: bool = False) -> QLabel:
    font = QFont(label.font())
    font.setPixelSize(pixels)
    font.setBold(bold)
    label.setFont(font)
    return label


class ProgressPanel(QWidget):
    """% swept (big), km left, segments swept of total."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ProgressPanel")
        self.percent_label = _sized(QLabel(self), PERCENT_FONT_PX, bold=True)
        self.percent_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.percent_label.setObjectName("progress_percent")
        self.caption_label = _sized(QLabel(self.tr("swept"), self), DETAIL_FONT_PX)
        self.caption_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(BAR_HEIGHT_PX)
        self.bar.setStyleSheet(
            f"QProgressBar {{ border: 1px solid #888; border-radius: 4px; background: #fff; }}"
            f"QProgressBar::chunk {{ background: {SWEPT_COLOUR}; }}"
        )
        self.left_label = _sized(QLabel(self), DETAIL_FONT_PX)
        self.left_label.setObjectName("progress_left")
        self.segments_label = _sized(QLabel(self), DETAIL_FONT_PX)
        self.segments_label.setObjectName("progress_segments")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(8)
        layout.addWidget(self.percent_label)
        layout.addWidget(self.caption_label)
        layout.addWidget(self.bar)
        layout.addSpacing(8)
        layout.addWidget(self.left_label)
        layout.addWidget(self.segments_label)
        self.set_progress(Progress(total_m=0.0, swept_m=0.0, segments_total=0, segments_swept=0))

    def set_progress(self, progress: Progress) -> None:
        """Show `progress`; the percentage is floored so 100 % means really done."""
        fraction = min(max(progress.fraction, 0.0), 1.0)
        percent = int(fraction * 100)
        self.percent_label.setText(f"{percent} %")
        self.bar.setValue(round(fraction * 1000))
        self.left_label.setText(self.tr("%1 left").replace("%1", kilometres(progress.left_m)))
        self.segments_label.setText(
            self.tr("%1 of %2 segments swept")
            .replace("%1", str(progress.segments_swept))
            .replace("%2", str(progress.segments_total))
        )
