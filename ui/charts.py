"""The progress panel's two pyqtgraph charts: curb-km over the shift against the plan,
and speed over the last minutes with the sweeping band shaded.

Both keep bounded data (the speed chart a rolling window, the progress chart one point
per half minute), so an eight-hour shift costs the same memory as its first hour.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ui.themes import DAY, Theme

SPEED_WINDOW_S = 300.0
BAND_KMH = (2.0, 12.0)
PROGRESS_STEP_S = 30.0
CHART_HEIGHT_PX = 110

pg.setConfigOptions(antialias=True)


def _style(plot: pg.PlotWidget, theme: Theme, left: str, bottom: str) -> None:
    plot.setBackground(theme.chart_bg)
    item = plot.getPlotItem()
    for name, label in (("left", left), ("bottom", bottom)):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(theme.chart_fg))
        axis.setTextPen(pg.mkPen(theme.chart_fg))
        axis.setLabel(label, color=theme.chart_fg, **{"font-size": "11pt"})


class _Chart(pg.PlotWidget):  # type: ignore[misc]  # pyqtgraph is untyped
    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(CHART_HEIGHT_PX)
        self.setMaximumHeight(CHART_HEIGHT_PX + 60)
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.getPlotItem().showGrid(x=True, y=True, alpha=0.2)


class ProgressChart(_Chart):
    """Curb-km done since the shift started (solid) against the plan (dashed)."""

    def __init__(self, parent: QWidget | None = None, *, plan_hours: float = 8.0) -> None:
        super().__init__(parent)
        self.setObjectName("progress_chart")
        self.plan_hours = plan_hours
        self._start: datetime | None = None
        self._total_km = 0.0
        self._xs: list[float] = []
        self._ys: list[float] = []
        self._plan = self.plot([], [], pen=pg.mkPen("#5b7fa6", width=2, style=Qt.PenStyle.DashLine))
        self._done = self.plot([], [], pen=pg.mkPen("#1f9d55", width=4))
        self._labels = ("curb-km", "hours")
        self.set_theme(DAY)

    def set_axis_labels(self, left: str, bottom: str) -> None:
        self._labels = (left, bottom)
        _style(self, self._theme, left, bottom)

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        _style(self, theme, *self._labels)

    def start(self, at: datetime, total_km: float) -> None:
        self._start = at
        self._total_km = total_km
        self._xs, self._ys = [0.0], [0.0]
        self._plan.setData([0.0, self.plan_hours], [0.0, total_km])
        self._done.setData(self._xs, self._ys)
        self.setXRange(0, self.plan_hours, padding=0.02)
        self.setYRange(0, max(total_km, 0.1), padding=0.05)

    @property
    def points(self) -> list[tuple[float, float]]:
        return list(zip(self._xs, self._ys, strict=True))

    def record(self, at: datetime, done_km: float) -> None:
        if self._start is None:
            return
        hours = max((at - self._start).total_seconds() / 3600, 0.0)
        if self._xs and hours - self._xs[-1] < PROGRESS_STEP_S / 3600 and len(self._xs) > 1:
            self._xs[-1], self._ys[-1] = hours, done_km
        else:
            self._xs.append(hours)
            self._ys.append(done_km)
        self._done.setData(self._xs, self._ys)
        if hours > self.plan_hours:
            self.setXRange(0, hours, padding=0.02)


class SpeedChart(_Chart):
    """Speed over the last five minutes; the 2–12 km/h sweeping band shaded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("speed_chart")
        self._samples: deque[tuple[datetime, float]] = deque()
        self.band = pg.LinearRegionItem(
            values=BAND_KMH,
            orientation="horizontal",
            movable=False,
            brush=pg.mkBrush("#1f9d5533"),
            pen=pg.mkPen(None),
        )
        self.addItem(self.band)
        self._line = self.plot([], [], pen=pg.mkPen("#d62828", width=3))
        self.setXRange(-SPEED_WINDOW_S / 60, 0, padding=0)
        self.setYRange(0, 25, padding=0)
        self._labels = ("km/h", "minutes")
        self.set_theme(DAY)

    def set_axis_labels(self, left: str, bottom: str) -> None:
        self._labels = (left, bottom)
        _style(self, self._theme, left, bottom)

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.band.setBrush(pg.mkBrush(theme.band))
        _style(self, theme, *self._labels)

    @property
    def samples(self) -> list[tuple[datetime, float]]:
        return list(self._samples)

    def record(self, at: datetime, speed_kmh: float) -> None:
        self._samples.append((at, speed_kmh))
        while self._samples and (at - self._samples[0][0]).total_seconds() > SPEED_WINDOW_S:
            self._samples.popleft()
        xs = [(t - at).total_seconds() / 60 for t, _ in self._samples]
        ys = [v for _, v in self._samples]
        self._line.setData(xs, ys)
        top = max([25.0, *ys])
        self.setYRange(0, top, padding=0)
