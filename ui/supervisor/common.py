"""Small helpers the supervisor panels share: plain-text table cells and labels, ages
and times in plain words."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

LIVE_COLOUR = QColor("#1b7f3b")
DELAYED_COLOUR = QColor("#b25e00")


def plain_label(text: str = "", *, name: str = "", wrap: bool = True) -> QLabel:
    """A QLabel that never interprets markup: server text is shown as typed."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setText(text)
    if name:
        label.setObjectName(name)
    return label


def make_table(columns: list[str], *, name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(False)
    return table


def cell(text: object, *, key: str | None = None, colour: QColor | None = None) -> QTableWidgetItem:
    """A table cell showing `text` literally (table items never render markup)."""
    item = QTableWidgetItem("" if text is None else str(text))
    if key is not None:
        item.setData(Qt.ItemDataRole.UserRole, key)
    if colour is not None:
        item.setForeground(colour)
    return item


def age(seconds: float | None) -> str:
    """`never`, `12 s`, `4 min`, `3 h 5 min`, `2 days`."""
    if seconds is None:
        return QCoreApplication.translate("Supervisor", "never")
    s = int(seconds)
    if s < 90:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60} min"
    return QCoreApplication.translate("Supervisor", "%1 days").replace("%1", str(s // 86400))


def local_time(text: object) -> str:
    """An ISO time from the server as local `YYYY-MM-DD HH:MM`, or the text itself."""
    if not isinstance(text, str) or not text:
        return ""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, *, placeholder: str = "") -> W:
    """`widget` with its object name (and a line edit's placeholder) set."""
    widget.setObjectName(name)
    if placeholder and isinstance(widget, QLineEdit):
        widget.setPlaceholderText(placeholder)
    return widget


def action_words(name: str) -> str:
    """What a background call was doing, in the screen's language, for "Could not …"."""
    words = {
        "routes": QCoreApplication.translate("SupervisorActions", "load the routes"),
        "forms": QCoreApplication.translate("SupervisorActions", "load the forms"),
        "load progress": QCoreApplication.translate("SupervisorActions", "load progress"),
        "load feedback": QCoreApplication.translate("SupervisorActions", "load feedback"),
        "load metrics": QCoreApplication.translate("SupervisorActions", "load metrics"),
        "load equity": QCoreApplication.translate("SupervisorActions", "load equity"),
        "load messages": QCoreApplication.translate("SupervisorActions", "load messages"),
        "load history": QCoreApplication.translate("SupervisorActions", "load the history"),
        "refresh fleet": QCoreApplication.translate("SupervisorActions", "refresh the fleet"),
        "reassign": QCoreApplication.translate("SupervisorActions", "reassign"),
        "send the message": QCoreApplication.translate("SupervisorActions", "send the message"),
        "export": QCoreApplication.translate("SupervisorActions", "export"),
        "load the replay": QCoreApplication.translate("SupervisorActions", "load the replay"),
        "load the evidence": QCoreApplication.translate("SupervisorActions", "load the evidence"),
        "load the report": QCoreApplication.translate("SupervisorActions", "load the report"),
    }
    return words.get(name, name.replace("_", " "))
