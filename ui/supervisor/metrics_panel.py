"""The pilot metrics charts (pyqtgraph): completion % per day, curb-km per sweeping hour,
the sweeping speed distribution, exceptions by type and survey ratings over time."""

from __future__ import annotations

import html
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QPushButton, QVBoxLayout, QWidget

_BAR = "#2f6db5"
_LINES = ("#2f6db5", "#c0392b", "#1b7f3b", "#8e44ad", "#b25e00")


class _Chart(pg.PlotWidget):  # type: ignore[misc]  # pyqtgraph is untyped
    def __init__(self, title: str, left: str, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setBackground("w")
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        item = self.getPlotItem()
        item.setTitle(title, color="#222", size="11pt")
        item.showGrid(x=False, y=True, alpha=0.2)
        item.setLabel("left", left, color="#222")
        for axis in ("left", "bottom"):
            item.getAxis(axis).setPen(pg.mkPen("#444"))
            item.getAxis(axis).setTextPen(pg.mkPen("#222"))
        self.values: list[float] = []

    def bars(self, labels: list[str], values: list[float], *, every: int = 1) -> None:
        self.clear()
        self.values = list(values)
        if values:
            self.addItem(
                pg.BarGraphItem(x=list(range(len(values))), height=values, width=0.7, brush=_BAR)
            )
        ticks = [(i, label) for i, label in enumerate(labels) if i % every == 0]
        self.getPlotItem().getAxis("bottom").setTicks([ticks])
        self.setXRange(-0.6, max(len(values), 1) - 0.4, padding=0)
        self.setYRange(0, max([*values, 1.0]) * 1.1, padding=0)


def _day(text: str) -> str:
    return text[5:]  # MM-DD


class MetricsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.completion = _Chart(self.tr("Completion per day"), "%", "chartCompletion")
        self.per_hour = _Chart(self.tr("Curb-km per sweeping hour"), "km/h", "chartCurbKmPerHour")
        self.speeds = _Chart(
            self.tr("Sweeping speed distribution"), self.tr("fixes"), "chartSpeeds"
        )
        self.exceptions = _Chart(self.tr("Exceptions by type"), self.tr("count"), "chartExceptions")
        self.ratings = _Chart(
            self.tr("Survey ratings over time"), self.tr("mean (1–5)"), "chartRatings"
        )
        self.ratings.addLegend(offset=(10, 10))
        grid = QGridLayout()
        for i, chart in enumerate(
            (self.completion, self.per_hour, self.speeds, self.exceptions, self.ratings)
        ):
            grid.addWidget(chart, i // 2, i % 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.refresh_button)
        layout.addLayout(grid, 1)
        self.rating_series: dict[str, list[float]] = {}
        # The figures last shown (the server's `/metrics` answer).
        self.data: dict[str, Any] = {}

    def show_metrics(self, data: dict[str, Any]) -> None:
        self.data = data
        completion = data.get("completion") or []
        days = [_day(str(d.get("date"))) for d in completion]
        every = max(1, len(days) // 7)
        self.completion.bars(days, [float(d.get("pct") or 0) for d in completion], every=every)
        per_hour = data.get("curb_km_per_hour") or []
        self.per_hour.bars(
            [_day(str(d.get("date"))) for d in per_hour],
            [float(d.get("km_per_hour") or 0) for d in per_hour],
            every=every,
        )
        histogram = data.get("speed_histogram") or {}
        width = int(histogram.get("bin_kmh") or 2)
        counts = [float(c) for c in histogram.get("counts") or []]
        labels = [f"{i * width}" for i in range(len(counts))]
        if labels:
            labels[-1] += "+"
        self.speeds.bars(labels, counts, every=2)
        self.speeds.getPlotItem().setLabel("bottom", "km/h", color="#222")
        kinds = data.get("exceptions_by_kind") or {}
        self.exceptions.bars([str(k) for k in kinds], [float(v) for v in kinds.values()])
        self._show_ratings(data.get("ratings") or [], [str(d.get("date")) for d in completion])

    def _show_ratings(self, ratings: list[dict[str, Any]], days: list[str]) -> None:
        chart = self.ratings
        chart.clear()
        self.rating_series = {}
        index = {d: i for i, d in enumerate(days)}
        for n, series in enumerate(ratings):
            points = [p for p in series.get("points") or [] if p.get("date") in index]
            xs = [index[p["date"]] for p in points]
            ys = [float(p.get("mean") or 0) for p in points]
            label = str(series.get("label"))
            self.rating_series[label] = ys
            chart.plot(
                xs,
                ys,
                pen=pg.mkPen(_LINES[n % len(_LINES)], width=2),
                symbol="o",
                symbolBrush=_LINES[n % len(_LINES)],
                # The legend renders its names as HTML; a form label is the author's text.
                name=html.escape(label),
            )
        every = max(1, len(days) // 7)
        ticks = [(i, _day(d)) for i, d in enumerate(days) if i % every == 0]
        chart.getPlotItem().getAxis("bottom").setTicks([ticks])
        chart.setXRange(-0.5, max(len(days), 1) - 0.5, padding=0)
        chart.setYRange(0, 5.5, padding=0)
