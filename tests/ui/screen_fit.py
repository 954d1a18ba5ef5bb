"""Does every text fit its widget, and do widgets overlap? Measured, not eyeballed.

A label's text is laid out with its own font's metrics (`QFontMetrics.boundingRect`,
word-wrapped when the label wraps) inside the label's contents rectangle; a button's
text size goes through the style (`sizeFromContents`, which adds the style sheet's
padding and border) and must fit the button's size. Overlaps are checked between every
pair of visible leaf widgets that are not over the map on purpose (toasts, banners and
the badge float over it by design).
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QGraphicsView,
    QLabel,
    QProgressBar,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)


def _shown(widget: QWidget, root: QWidget) -> bool:
    return widget.isVisibleTo(root) and widget.width() > 0 and widget.height() > 0


def label_overflow(label: QLabel) -> str | None:
    """Why `label`'s text does not fit it, or None."""
    text = label.text()
    if not text:
        return None
    metrics = QFontMetrics(label.font())
    margin = label.margin()
    area = label.contentsRect().adjusted(margin, margin, -margin, -margin)
    flags = Qt.TextFlag.TextWordWrap if label.wordWrap() else Qt.TextFlag(0)
    bound = QRect(0, 0, area.width(), 1_000_000)
    # Only the horizontal alignment: centred vertically in the tall measuring box the
    # rectangle would gain a pixel of rounding that the label never draws.
    horizontal = label.alignment() & Qt.AlignmentFlag.AlignHorizontal_Mask
    needed = metrics.boundingRect(bound, int(horizontal) | int(flags), text)
    if needed.width() > area.width() or needed.height() > area.height():
        return (
            f"label {label.objectName() or label.metaObject().className()} {text!r}: "
            f"needs {needed.width()}x{needed.height()}, has {area.width()}x{area.height()}"
        )
    return None


def button_overflow(button: QPushButton) -> str | None:
    """Why `button`'s text does not fit it, or None."""
    text = button.text()
    if not text:
        return None
    metrics = QFontMetrics(button.font())
    text_size = metrics.size(Qt.TextFlag.TextShowMnemonic, text)
    option = QStyleOptionButton()
    button.initStyleOption(option)
    needed = button.style().sizeFromContents(
        QStyle.ContentsType.CT_PushButton, option, text_size, button
    )
    if needed.width() > button.width() or needed.height() > button.height():
        return (
            f"button {button.objectName()} {text!r}: needs {needed.width()}x{needed.height()},"
            f" has {button.width()}x{button.height()}"
        )
    return None


def _name(widget: QWidget) -> str:
    return widget.objectName() or widget.metaObject().className()


def _global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def fit_problems(root: QWidget, floating_over: QWidget) -> list[str]:
    """Every text that does not fit, every widget cut by its parent or the window, and
    every overlap of two visible widgets, in `root`; children of `floating_over` (the
    map: its overlays float over it by design) are left out of the overlap check."""
    problems: list[str] = []
    leaves: list[QWidget] = []
    window = _global_rect(root)
    for widget in root.findChildren(QWidget):
        if not _shown(widget, root):
            continue
        if isinstance(widget, QLabel):
            problem = label_overflow(widget)
        elif isinstance(widget, QPushButton):
            problem = button_overflow(widget)
        else:
            problem = None
        if problem:
            problems.append(problem)
        if not isinstance(widget, QLabel | QAbstractButton | QProgressBar | QGraphicsView):
            continue
        if isinstance(widget, QLabel) and not widget.text():
            continue
        rect = _global_rect(widget)
        parent = widget.parentWidget()
        inside_parent = parent is None or _global_rect(parent).contains(rect)
        if not window.contains(rect) or not inside_parent:
            problems.append(f"{_name(widget)} is cut off")
        if not floating_over.isAncestorOf(widget):
            leaves.append(widget)
    for a, b in itertools.combinations(leaves, 2):
        if a.isAncestorOf(b) or b.isAncestorOf(a):
            continue
        if _global_rect(a).intersects(_global_rect(b)):
            problems.append(f"{_name(a)} overlaps {_name(b)}")
    return problems
