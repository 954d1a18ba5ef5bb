"""ProgressPanel: how much of today's route is swept, readable in one glance.

The percentage of curb-km is the biggest thing on the panel because it is what the
operator looks for; km left, passes, the expected finish (from the recent sweeping rate)
and the current speed against the sweeping band back it up, with two charts below.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import QLabel, QProgressBar, QSizePolicy, QVBoxLayout, QWidget

from coverage.model import Progress
from ui.charts import BAND_KMH, CHART_HEIGHT_PX, ProgressChart, SpeedChart
from ui.formatting import clock
from ui.themes import DAY, Theme

PERCENT_FONT_PX = 56
DETAIL_FONT_PX = 22
BAR_HEIGHT_PX = 24
COMPACT_SCALE = 0.78
# The progress chart spans the planned shift: the route's curb-km at this rate (a
# sweeper's usual pace with turns and stops), between half an hour and 8 hours.
PLANNED_CURB_KM_PER_H = 4.0
PLANNED_HOURS = (0.5, 8.0)


def curb_km(metres: float) -> str:
    """Curb-km with one decimal (the unit is said by the sentence around it)."""
    return f"{max(metres, 0.0) / 1000:.1f}"


def planned_hours(total_m: float) -> float:
    """How long the route is planned to take, for the progress chart's time axis."""
    hours = total_m / 1000 / PLANNED_CURB_KM_PER_H
    return min(PLANNED_HOURS[1], max(PLANNED_HOURS[0], hours))


# The expected finish uses the sweeping rate over this much recent time.
RATE_WINDOW = timedelta(minutes=20)


def _sized(label: QLabel, pixels: int, bold: bool = False) -> QLabel:
    font = QFont(label.font())
    font.setPixelSize(pixels)
    font.setBold(bold)
    label.setFont(font)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class ProgressPanel(QWidget):
    """% of curb-km swept (big), km left, passes, expected finish, speed, two charts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ProgressPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._theme = DAY
        self.percent_label = _sized(QLabel(self), PERCENT_FONT_PX, bold=True)
        self.percent_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.percent_label.setObjectName("progress_percent")
        self.caption_label = _sized(QLabel(self), DETAIL_FONT_PX)
        self.caption_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(BAR_HEIGHT_PX)
        self.left_label = _sized(QLabel(self), DETAIL_FONT_PX)
        self.left_label.setObjectName("progress_left")
        self.passes_label = _sized(QLabel(self), DETAIL_FONT_PX)
        self.passes_label.setObjectName("progress_passes")
        self.finish_label = _sized(QLabel(self), DETAIL_FONT_PX)
        self.finish_label.setObjectName("progress_finish")
        self.speed_label = _sized(QLabel(self), DETAIL_FONT_PX, bold=True)
        self.speed_label.setObjectName("progress_speed")
        self.segments_label = _sized(QLabel(self), DETAIL_FONT_PX - 4)
        self.segments_label.setObjectName("progress_segments")
        self.segments_label.setProperty("muted", True)
        # One line saying what the unit is: a two-curb street of 1 km is 2 curb-km.
        self.unit_label = _sized(QLabel(self), DETAIL_FONT_PX - 6)
        self.unit_label.setObjectName("progress_unit")
        self.unit_label.setProperty("muted", True)
        self.unit_label.setWordWrap(True)
        self.unit_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.progress_chart = ProgressChart(self)
        self.speed_chart = SpeedChart(self)

        for label in (self.left_label, self.passes_label, self.finish_label, self.speed_label):
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.segments_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._figures = (
            self.percent_label,
            self.caption_label,
            self.bar,
            self.left_label,
            self.passes_label,
            self.finish_label,
            self.speed_label,
            self.segments_label,
            self.unit_label,
        )
        # The charts take what the figures leave, and go when that is too little.
        self.charts = QWidget(self)
        charts_layout = QVBoxLayout(self.charts)
        charts_layout.setContentsMargins(0, 0, 0, 0)
        charts_layout.setSpacing(2)
        charts_layout.addWidget(self.progress_chart)
        charts_layout.addWidget(self.speed_chart)
        self.charts.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.charts.setMinimumHeight(0)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        layout.setSpacing(2)
        for widget in self._figures:
            layout.addWidget(widget)
        layout.addWidget(self.charts, 1)
        self._compact = False

        self._progress = Progress(0.0, 0.0, 0, 0)
        self._passes = 0
        self._rate_samples: deque[tuple[datetime, float]] = deque()
        self._last_t: datetime | None = None
        self._speed: float | None = None
        self.retranslate()

    def set_compact(self, compact: bool) -> None:
        """Smaller type for a small screen (1024x600): the figures stay whole."""
        if compact == self._compact:
            return
        self._compact = compact
        scale = COMPACT_SCALE if compact else 1.0
        _sized(self.percent_label, round(PERCENT_FONT_PX * scale), bold=True)
        for label in (self.caption_label, self.left_label, self.passes_label, self.finish_label):
            _sized(label, round(DETAIL_FONT_PX * scale))
        _sized(self.speed_label, round(DETAIL_FONT_PX * scale), bold=True)
        _sized(self.segments_label, round((DETAIL_FONT_PX - 4) * scale))
        _sized(self.unit_label, round((DETAIL_FONT_PX - 6) * scale))
        self._fit_charts()

    def figures_height(self) -> int:
        """The height the figures need at this width (the charts get the rest)."""
        width = max(1, self.width() - 24)
        total = 8
        for widget in self._figures:
            hfw = widget.heightForWidth(width) if widget.hasHeightForWidth() else -1
            total += (hfw if hfw > 0 else widget.sizeHint().height()) + 2
        return total

    def _fit_charts(self) -> None:
        # Both charts when both fit, else the curb-km chart alone (am I on time?), else
        # none: a chart is shown whole or not at all.
        room = self.height() - self.figures_height()
        both = room >= 2 * CHART_HEIGHT_PX + 2
        self.speed_chart.setVisible(both)
        self.progress_chart.setVisible(room >= CHART_HEIGHT_PX)
        self.charts.setVisible(room >= CHART_HEIGHT_PX)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_charts()

    @property
    def charts_built(self) -> bool:
        return self.progress_chart.built and self.speed_chart.built

    def build_charts(self) -> None:
        """Draw the charts; until then they keep their data in empty slots."""
        self.progress_chart.build()
        self.speed_chart.build()

    # -- inputs --------------------------------------------------------------------------

    def start_shift(self, at: datetime, progress: Progress) -> None:
        """The shift starts now: the chart's clock and the rate restart from here."""
        self._rate_samples.clear()
        self._rate_samples.append((at, progress.swept_m))
        self._last_t = at
        self.progress_chart.plan_hours = planned_hours(progress.total_m)
        self.progress_chart.start(at, progress.total_m / 1000)
        self.progress_chart.record(at, progress.swept_m / 1000)
        self._show_finish()

    def set_progress(self, progress: Progress, passes: int | None = None) -> None:
        """Show `progress`; the percentage is floored so 100 % means really done."""
        self._progress = progress
        if passes is not None:
            self._passes = passes
        fraction = min(max(progress.fraction, 0.0), 1.0)
        self.percent_label.setText(f"{int(fraction * 100)} %")
        self.bar.setValue(round(fraction * 1000))
        self.left_label.setText(self.tr("Left: %1 curb-km").replace("%1", curb_km(progress.left_m)))
        self.passes_label.setText(self.tr("Sweeping passes: %1").replace("%1", str(self._passes)))
        self.segments_label.setText(
            self.tr("%1 of %2 segments swept")
            .replace("%1", str(progress.segments_swept))
            .replace("%2", str(progress.segments_total))
        )
        if self._last_t is not None:
            self._rate_samples.append((self._last_t, progress.swept_m))
            self.progress_chart.record(self._last_t, progress.swept_m / 1000)
        self._show_finish()

    def set_speed(self, at: datetime, speed_kmh: float | None) -> None:
        """The vehicle's speed at `at` (GPS time), or None when unknown."""
        self._last_t = at
        self._speed = speed_kmh
        if speed_kmh is not None:
            self.speed_chart.record(at, speed_kmh)
        self._show_speed()
        while len(self._rate_samples) > 2 and at - self._rate_samples[1][0] > RATE_WINDOW:
            self._rate_samples.popleft()

    # -- derived figures -------------------------------------------------------------------

    def expected_finish(self) -> datetime | None:
        """When the route will be done at the recent sweeping rate; None when unknown."""
        if len(self._rate_samples) < 2 or self._last_t is None:
            return None
        if self._progress.left_m <= 0:
            return self._last_t
        (t0, m0), (t1, m1) = self._rate_samples[0], self._rate_samples[-1]
        seconds = (t1 - t0).total_seconds()
        if seconds <= 60 or m1 <= m0:
            return None
        rate = (m1 - m0) / seconds
        return self._last_t + timedelta(seconds=self._progress.left_m / rate)

    def _show_finish(self) -> None:
        finish = self.expected_finish()
        shown = clock(finish) if finish is not None else "—"
        self.finish_label.setText(self.tr("Finish: %1").replace("%1", shown))

    def _show_speed(self) -> None:
        t = self._theme
        speed = self._speed
        if speed is None:
            text, colour = self.tr("Speed: —"), t.muted
        else:
            lo, hi = BAND_KMH
            value = f"{speed:.0f} km/h"
            if speed > hi:
                text, colour = self.tr("%1 too fast").replace("%1", value), t.bad
            elif speed < lo:
                text, colour = self.tr("%1 stopped").replace("%1", value), t.muted
            else:
                text, colour = self.tr("%1 in band").replace("%1", value), t.good
        self.speed_label.setText(text)
        self.speed_label.setStyleSheet(f"color: {colour};")

    # -- look and language -----------------------------------------------------------------

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.progress_chart.set_theme(theme)
        self.speed_chart.set_theme(theme)
        self._show_speed()

    def retranslate(self) -> None:
        self.caption_label.setText(self.tr("of curb-km swept"))
        self.unit_label.setText(self.tr("1 curb-km: one curb along 1 km of street"))
        self.progress_chart.set_axis_labels(self.tr("curb-km"), self.tr("hours of shift"))
        self.speed_chart.set_axis_labels(self.tr("km/h"), self.tr("minutes"))
        self.set_progress(self._progress)
        self._show_speed()
