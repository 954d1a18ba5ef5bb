"""The progress panel's two charts: curb-km over the shift against the plan, and speed
over the last minutes with the sweeping band shaded.

Both keep bounded data (the speed chart a rolling window, the progress chart one point
per half minute), so an eight-hour shift costs the same memory as its first hour.

They are drawn with QPainter (`ui.plot`): a plotting library (pyqtgraph, with numpy)
cost the tablet's Python process about 35 MB of heap for two small line charts. Each
chart keeps its data from the start and draws from `build()` on, which the operator
window calls once the map shows the route, so start-up never waits for the charts.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime

from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QWidget

from ui.plot import Line, Plot, hex_colour

SPEED_WINDOW_S = 300.0
BAND_KMH = (2.0, 12.0)


def speed_band(kmh: float) -> str:
    """The speed's band: slow, band (sweeping speed) or fast."""
    lo, hi = BAND_KMH
    return "slow" if kmh < lo else "fast" if kmh > hi else "band"


PROGRESS_STEP_S = 30.0
CHART_HEIGHT_PX = 90
PLAN_COLOUR = "#5b7fa6"
DONE_COLOUR = "#1f9d55"


class ProgressChart(Plot):
    """Curb-km done since the shift started (solid) against the plan (dashed)."""

    padding = (0.02, 0.05)

    def __init__(self, parent: QWidget | None = None, *, plan_hours: float = 8.0) -> None:
        super().__init__(parent, min_height=CHART_HEIGHT_PX)
        self.setObjectName("progress_chart")
        self.plan_hours = plan_hours
        self._start: datetime | None = None
        self._total_km = 0.0
        self._xs: list[float] = []
        self._ys: list[float] = []
        self.set_axis_labels("curb-km", "hours")

    def lines(self) -> list[Line]:
        if self._start is None:
            return []
        return [
            Line([0.0, self.plan_hours], [0.0, self._total_km], PLAN_COLOUR, 2, dashed=True),
            Line(list(self._xs), list(self._ys), DONE_COLOUR, 4),
        ]

    def view_range(self) -> tuple[tuple[float, float], tuple[float, float]]:
        last = self._xs[-1] if self._xs else 0.0
        return (0.0, max(self.plan_hours, last)), (0.0, max(self._total_km, 0.1))

    def start(self, at: datetime, total_km: float) -> None:
        self._start = at
        self._total_km = total_km
        self._xs, self._ys = [0.0], [0.0]
        self.update()

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
        self.update()


class SpeedChart(Plot):
    """Speed over the last five minutes; the 2–12 km/h sweeping band shaded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, min_height=CHART_HEIGHT_PX)
        self.setObjectName("speed_chart")
        self._samples: deque[tuple[datetime, float]] = deque()
        self.set_axis_labels("km/h", "minutes")

    def band_colours(self) -> dict[str, str]:
        t = self.theme
        return {"slow": t.muted, "band": t.good, "fast": t.bad}

    @property
    def samples(self) -> list[tuple[datetime, float]]:
        return list(self._samples)

    def record(self, at: datetime, speed_kmh: float) -> None:
        self._samples.append((at, speed_kmh))
        while self._samples and (at - self._samples[0][0]).total_seconds() > SPEED_WINDOW_S:
            self._samples.popleft()
        self.update()

    def view_range(self) -> tuple[tuple[float, float], tuple[float, float]]:
        top = max([25.0, *(v for _t, v in self._samples)])
        return (-SPEED_WINDOW_S / 60, 0.0), (0.0, top)

    def lines(self) -> list[Line]:
        """One line per band: slow (muted), in the band (good), too fast (bad); each
        holds NaN where the speed is in another band, so each stretch has its band's
        colour (a stretch includes the sample after it: no gaps at a change)."""
        if not self._samples:
            return []
        at = self._samples[-1][0]
        xs = [(t - at).total_seconds() / 60 for t, _ in self._samples]
        ys = [v for _, v in self._samples]
        bands = [speed_band(v) for v in ys]
        return [
            Line(
                xs,
                [
                    y if b == band or (i > 0 and bands[i - 1] == band) else math.nan
                    for i, (y, b) in enumerate(zip(ys, bands, strict=True))
                ],
                colour,
                3,
                name=band,
            )
            for band, colour in self.band_colours().items()
        ]

    def paint_under(self, painter: QPainter) -> None:
        lo, hi = BAND_KMH
        top_left = self.to_pixel(-SPEED_WINDOW_S / 60, hi)
        bottom_right = self.to_pixel(0.0, lo)
        painter.fillRect(
            round(top_left.x()),
            round(top_left.y()),
            round(bottom_right.x() - top_left.x()),
            round(bottom_right.y() - top_left.y()),
            hex_colour(self.theme.band),
        )

    def shown_bands(self) -> dict[str, int]:
        """How many samples each band's line draws (what a test can check)."""
        return {b: sum(speed_band(v) == b for _t, v in self._samples) for b in self.band_colours()}
