"""A small line chart drawn with QPainter: left and bottom axes with ticks, a light grid,
axis labels, and lines (solid or dashed, NaN breaking a line) in a view range the chart
gives. What the progress panel's two charts need, without a plotting library's memory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from ui.themes import DAY, Theme

TICK_PX = 5
GRID_ALPHA = 0.2
LABEL_PT = 11
TICK_FONT_SCALE = 0.9


def hex_colour(text: str) -> QColor:
    """`#rrggbb` or `#rrggbbaa` (CSS order, as the themes write it; Qt reads `#aarrggbb`)."""
    if len(text) == 9:
        colour = QColor(text[:7])
        colour.setAlpha(int(text[7:], 16))
        return colour
    return QColor(text)


def nice_ticks(lo: float, hi: float, most: int) -> list[float]:
    """Round values (1, 2 or 5 times a power of ten apart) from `lo` to `hi`, at most
    about `most` of them."""
    span = hi - lo
    if span <= 0 or most < 1:
        return [lo]
    raw = span / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


def tick_text(value: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    text = f"{value:.{decimals}f}"
    return "0" if text.strip("-0.") == "" else text


@dataclass
class Line:
    xs: list[float]
    ys: list[float]
    colour: str
    width: float
    dashed: bool = False
    name: str = field(default="")


class Plot(QWidget):
    """A chart slot; it draws once `build()` is called. Subclasses give `lines()`,
    `view_range()` and may paint under the lines (`paint_under`)."""

    # The view range is padded by these fractions of its span at each end (x, y).
    padding = (0.0, 0.0)

    def __init__(self, parent: QWidget | None, *, min_height: int) -> None:
        super().__init__(parent)
        self.setMinimumHeight(min_height)
        self.setMaximumHeight(min_height * 3)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.theme: Theme = DAY
        self.labels = ("", "")
        self._built = False
        self._area = QRectF()
        self._range = ((0.0, 1.0), (0.0, 1.0))

    @property
    def built(self) -> bool:
        return self._built

    def build(self) -> None:
        """Start drawing (and draw what was recorded so far)."""
        self._built = True
        self.update()

    def set_axis_labels(self, left: str, bottom: str) -> None:
        self.labels = (left, bottom)
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def lines(self) -> list[Line]:
        raise NotImplementedError

    def view_range(self) -> tuple[tuple[float, float], tuple[float, float]]:
        raise NotImplementedError

    def paint_under(self, painter: QPainter) -> None:
        """Anything drawn over the grid and under the lines (nothing by default)."""

    def to_pixel(self, x: float, y: float) -> QPointF:
        (x0, x1), (y0, y1) = self._range
        a = self._area
        return QPointF(
            a.left() + (x - x0) / (x1 - x0) * a.width(),
            a.bottom() - (y - y0) / (y1 - y0) * a.height(),
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), hex_colour(self.theme.chart_bg))
        if not self._built:
            painter.end()
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fg = hex_colour(self.theme.chart_fg)
        tick_font = QFont(self.font())
        tick_font.setPointSizeF(tick_font.pointSizeF() * TICK_FONT_SCALE)
        label_font = QFont(self.font())
        label_font.setPointSizeF(LABEL_PT)
        ticks_fm, label_fm = QFontMetrics(tick_font), QFontMetrics(label_font)
        bottom = TICK_PX + ticks_fm.height() + label_fm.height() + 4
        area_h = self.height() - bottom - 12
        # The left axis's label, written upwards, is made smaller until it fits the axis.
        left_font, left_fm = QFont(label_font), label_fm
        while left_fm.horizontalAdvance(self.labels[0]) > area_h and left_font.pointSizeF() > 6:
            left_font.setPointSizeF(left_font.pointSizeF() - 0.5)
            left_fm = QFontMetrics(left_font)
        (x0, x1), (y0, y1) = self.view_range()
        xpad, ypad = (x1 - x0) * self.padding[0], (y1 - y0) * self.padding[1]
        self._range = ((x0 - xpad, x1 + xpad), (y0 - ypad if y0 else y0, y1 + ypad))
        y_ticks = nice_ticks(y0, y1, max(2, int(area_h // (1.5 * ticks_fm.height()))))
        y_step = y_ticks[1] - y_ticks[0] if len(y_ticks) > 1 else 1.0
        y_texts = [tick_text(v, y_step) for v in y_ticks]
        left = left_fm.height() + 6 + max(ticks_fm.horizontalAdvance(t) for t in y_texts) + TICK_PX
        self._area = QRectF(left, 6, self.width() - left - 12, self.height() - bottom - 6)
        a = self._area
        x_ticks = nice_ticks(
            x0, x1, max(1, int(a.width() // (ticks_fm.horizontalAdvance("-0.0") * 2.5)))
        )
        x_step = x_ticks[1] - x_ticks[0] if len(x_ticks) > 1 else 1.0
        grid = QColor(fg)
        grid.setAlphaF(GRID_ALPHA)
        painter.setFont(tick_font)
        for v, text in zip(y_ticks, y_texts, strict=True):
            y = self.to_pixel(self._range[0][0], v).y()
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(a.left(), y), QPointF(a.right(), y))
            painter.setPen(QPen(fg, 1))
            painter.drawLine(QPointF(a.left() - TICK_PX, y), QPointF(a.left(), y))
            w = ticks_fm.horizontalAdvance(text)
            painter.drawText(
                QPointF(a.left() - TICK_PX - 2 - w, y + ticks_fm.ascent() / 2 - 1), text
            )
        for v in x_ticks:
            x = self.to_pixel(v, self._range[1][0]).x()
            text = tick_text(v, x_step)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(x, a.top()), QPointF(x, a.bottom()))
            painter.setPen(QPen(fg, 1))
            painter.drawLine(QPointF(x, a.bottom()), QPointF(x, a.bottom() + TICK_PX))
            w = ticks_fm.horizontalAdvance(text)
            painter.drawText(QPointF(x - w / 2, a.bottom() + TICK_PX + ticks_fm.ascent()), text)
        painter.setPen(QPen(fg, 1))
        painter.drawLine(a.bottomLeft(), a.bottomRight())
        painter.drawLine(a.bottomLeft(), a.topLeft())
        painter.setFont(label_font)
        left_label, bottom_label = self.labels
        w = label_fm.horizontalAdvance(bottom_label)
        painter.drawText(
            QPointF(a.center().x() - w / 2, self.height() - label_fm.descent() - 2), bottom_label
        )
        painter.save()
        painter.setFont(left_font)
        painter.translate(left_fm.ascent() + 2, a.center().y())
        painter.rotate(-90)
        painter.drawText(QPointF(-left_fm.horizontalAdvance(left_label) / 2, 0), left_label)
        painter.restore()
        painter.setClipRect(a)
        self.paint_under(painter)
        for line in self.lines():
            self._draw_line(painter, line)
        painter.end()

    def _draw_line(self, painter: QPainter, line: Line) -> None:
        pen = QPen(hex_colour(line.colour), line.width)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        if line.dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        path = QPainterPath()
        drawing = False
        for x, y in zip(line.xs, line.ys, strict=True):
            if math.isnan(y):
                drawing = False
                continue
            point = self.to_pixel(x, y)
            if drawing:
                path.lineTo(point)
            else:
                path.moveTo(point)
                drawing = True
        painter.strokePath(path, pen)
