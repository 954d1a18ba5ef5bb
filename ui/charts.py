"""The progress panel's two pyqtgraph charts: curb-km over the shift against the plan,
and speed over the last minutes with the sweeping band shaded.

Both keep bounded data (the speed chart a rolling window, the progress chart one point
per half minute), so an eight-hour shift costs the same memory as its first hour.

Each chart is a plain widget that keeps its data from the start; the pyqtgraph plot
inside it (and pyqtgraph and numpy themselves, a third of a second to import) is built
by `build()`, which the operator window calls once the map shows the route, so start-up
never waits for the charts. Data recorded before that is drawn when the plot appears.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.themes import DAY, Theme

SPEED_WINDOW_S = 300.0
BAND_KMH = (2.0, 12.0)


def speed_band(kmh: float) -> str:
    """The speed's band: slow, band (sweeping speed) or fast."""
    lo, hi = BAND_KMH
    return "slow" if kmh < lo else "fast" if kmh > hi else "band"


PROGRESS_STEP_S = 30.0
CHART_HEIGHT_PX = 90


def _pg() -> Any:
    import pyqtgraph as pg

    pg.setConfigOptions(antialias=True)
    return pg


def _style(plot: Any, theme: Theme, left: str, bottom: str) -> None:
    pg = _pg()
    plot.setBackground(theme.chart_bg)
    item = plot.getPlotItem()
    for name, label in (("left", left), ("bottom", bottom)):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(theme.chart_fg))
        axis.setTextPen(pg.mkPen(theme.chart_fg))
        # Hours stay hours: no "(x0.001)" prefix on a short shift's axis.
        axis.enableAutoSIPrefix(False)
        axis.setLabel(label, color=theme.chart_fg, **{"font-size": "11pt"})


class _Chart(QWidget):
    """A slot of the chart's size; `build()` puts the pyqtgraph plot in it."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(CHART_HEIGHT_PX)
        self.setMaximumHeight(CHART_HEIGHT_PX * 3)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.plot_widget: Any = None
        self._theme: Theme = DAY
        self._labels = ("", "")

    @property
    def built(self) -> bool:
        return self.plot_widget is not None

    def build(self) -> None:
        """Create the pyqtgraph plot (once) and draw what was recorded so far."""
        if self.plot_widget is not None:
            return
        pg = _pg()
        plot = pg.PlotWidget(self)
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        plot.getPlotItem().showGrid(x=True, y=True, alpha=0.2)
        self.plot_widget = plot
        self._build_items(pg, plot)
        self._layout.addWidget(plot)
        self._apply_style()
        self._redraw()

    def set_axis_labels(self, left: str, bottom: str) -> None:
        self._labels = (left, bottom)
        self._apply_style()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._apply_style()

    def _apply_style(self) -> None:
        if self.plot_widget is not None:
            _style(self.plot_widget, self._theme, *self._labels)

    def _build_items(self, pg: Any, plot: Any) -> None:
        raise NotImplementedError

    def _redraw(self) -> None:
        raise NotImplementedError


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
        self._plan: Any = None
        self._done: Any = None
        self._labels = ("curb-km", "hours")

    def _build_items(self, pg: Any, plot: Any) -> None:
        self._plan = plot.plot([], [], pen=pg.mkPen("#5b7fa6", width=2, style=Qt.PenStyle.DashLine))
        self._done = plot.plot([], [], pen=pg.mkPen("#1f9d55", width=4))

    def _redraw(self) -> None:
        plot = self.plot_widget
        if plot is None or self._start is None:
            return
        self._plan.setData([0.0, self.plan_hours], [0.0, self._total_km])
        self._done.setData(self._xs, self._ys)
        last = self._xs[-1] if self._xs else 0.0
        plot.setXRange(0, max(self.plan_hours, last), padding=0.02)
        plot.setYRange(0, max(self._total_km, 0.1), padding=0.05)

    def start(self, at: datetime, total_km: float) -> None:
        self._start = at
        self._total_km = total_km
        self._xs, self._ys = [0.0], [0.0]
        self._redraw()

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
        if self.plot_widget is None:
            return
        self._done.setData(self._xs, self._ys)
        if hours > self.plan_hours:
            self.plot_widget.setXRange(0, hours, padding=0.02)


class SpeedChart(_Chart):
    """Speed over the last five minutes; the 2–12 km/h sweeping band shaded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("speed_chart")
        self._samples: deque[tuple[datetime, float]] = deque()
        self.band: Any = None
        self._lines: dict[str, Any] = {}
        self._labels = ("km/h", "minutes")

    def _build_items(self, pg: Any, plot: Any) -> None:
        self.band = pg.LinearRegionItem(
            values=BAND_KMH,
            orientation="horizontal",
            movable=False,
            brush=pg.mkBrush(self._theme.band),
            pen=pg.mkPen(None),
        )
        plot.addItem(self.band)
        # One line per band: slow (muted), in the band (good), too fast (bad); each holds
        # NaN where the speed is in another band, so each stretch has its band's colour.
        self._lines = {
            band: plot.plot([], [], pen=pg.mkPen(colour, width=3), connect="finite")
            for band, colour in self._band_colours().items()
        }
        plot.setXRange(-SPEED_WINDOW_S / 60, 0, padding=0)
        plot.setYRange(0, 25, padding=0)

    def _band_colours(self) -> dict[str, str]:
        t = self._theme
        return {"slow": t.muted, "band": t.good, "fast": t.bad}

    def _apply_style(self) -> None:
        super()._apply_style()
        if self.band is not None:
            self.band.setBrush(_pg().mkBrush(self._theme.band))
        for band, colour in self._band_colours().items():
            if band in self._lines:
                self._lines[band].setPen(_pg().mkPen(colour, width=3))

    @property
    def samples(self) -> list[tuple[datetime, float]]:
        return list(self._samples)

    def record(self, at: datetime, speed_kmh: float) -> None:
        self._samples.append((at, speed_kmh))
        while self._samples and (at - self._samples[0][0]).total_seconds() > SPEED_WINDOW_S:
            self._samples.popleft()
        self._redraw()

    def _redraw(self) -> None:
        if self.plot_widget is None or not self._samples:
            return
        at = self._samples[-1][0]
        xs = [(t - at).total_seconds() / 60 for t, _ in self._samples]
        ys = [v for _, v in self._samples]
        bands = [speed_band(v) for v in ys]
        for band, line in self._lines.items():
            # A stretch includes the sample after it, so the line has no gaps at a change.
            shown = [
                y if b == band or (i > 0 and bands[i - 1] == band) else math.nan
                for i, (y, b) in enumerate(zip(ys, bands, strict=True))
            ]
            line.setData(xs, shown)
        self.plot_widget.setYRange(0, max([25.0, *ys]), padding=0)

    def shown_bands(self) -> dict[str, int]:
        """How many samples each band's line draws (what a test can check)."""
        return {b: sum(speed_band(v) == b for _t, v in self._samples) for b in self._lines}
