"""The feedback inbox: form answers and free comments, filtered by operator, route,
form question and date; the selected item's full text below, and its place on the map."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.supervisor.common import cell, local_time, make_table, named, plain_label

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def answers_text(item: dict[str, Any]) -> str:
    if item.get("type") == "note":
        return str(item.get("text") or "")
    parts = []
    for answer in item.get("answers") or []:
        value = answer.get("value")
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        parts.append(f"{answer.get('label')}: {value}")
    return "; ".join(parts)


class FeedbackPanel(QWidget):
    filters_changed = Signal(dict)
    item_selected = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.operator = named(QComboBox(), "feedbackOperator")
        self.route = named(QComboBox(), "feedbackRoute")
        self.question = named(QComboBox(), "feedbackQuestion")
        self.since = named(QLineEdit(), "feedbackSince", placeholder=self.tr("from YYYY-MM-DD"))
        self.until = named(QLineEdit(), "feedbackUntil", placeholder=self.tr("to YYYY-MM-DD"))
        for combo in (self.operator, self.route, self.question):
            combo.addItem(self.tr("Any"), None)
        apply = named(QPushButton(self.tr("Apply filters")), "feedbackApply")
        apply.clicked.connect(self.apply_filters)
        grid = QGridLayout()
        for col, (name, widget) in enumerate(
            (
                (self.tr("Operator"), self.operator),
                (self.tr("Route"), self.route),
                (self.tr("Question"), self.question),
            )
        ):
            grid.addWidget(plain_label(name, wrap=False), 0, col)
            grid.addWidget(widget, 1, col)
        grid.addWidget(plain_label(self.tr("Dates"), wrap=False), 0, 3)
        grid.addWidget(self.since, 1, 3)
        grid.addWidget(self.until, 1, 4)
        grid.addWidget(apply, 1, 5)
        self.problem = plain_label(name="feedbackProblem")
        self.table = make_table(
            [
                self.tr("Time"),
                self.tr("Operator"),
                self.tr("Route"),
                self.tr("Segment"),
                self.tr("Form / note"),
                self.tr("Answers"),
                self.tr("Status"),
            ],
            name="feedbackTable",
        )
        self.table.itemSelectionChanged.connect(self._on_table_selection)
        self.detail = plain_label(
            self.tr("Select an item to read it and see where it was given."),
            name="feedbackDetail",
        )
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.problem)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        self._items: list[dict[str, Any]] = []

    def set_choices(
        self,
        operators: list[str],
        routes: list[tuple[str, str]],
        questions: list[tuple[str, str]],
    ) -> None:
        """Fill the filters: operator names, (route id, name), (question id, label)."""
        for combo, pairs in (
            (self.operator, [(o, o) for o in operators]),
            (self.route, routes),
            (self.question, questions),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("Any"), None)
            for value, label in pairs:
                combo.addItem(label, value)
            index = combo.findData(current)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

    def filters(self) -> dict[str, str] | None:
        """The filters as query parameters, or None (and a message) if a date is wrong."""
        out: dict[str, str] = {}
        for key, combo in (
            ("operator", self.operator),
            ("route_id", self.route),
            ("question", self.question),
        ):
            if combo.currentData() is not None:
                out[key] = str(combo.currentData())
        for key, edit in (("since", self.since), ("until", self.until)):
            text = edit.text().strip()
            if text and not _DATE.match(text):
                self.problem.setText(
                    self.tr("%1 is not a date: write it as YYYY-MM-DD.").replace("%1", repr(text))
                )
                return None
            if text:
                out[key] = text
        self.problem.setText("")
        return out

    def apply_filters(self) -> None:
        filters = self.filters()
        if filters is not None:
            self.filters_changed.emit(filters)

    def show_items(self, items: list[dict[str, Any]]) -> None:
        """Newest first."""
        self._items = list(reversed(items))
        self.table.blockSignals(True)
        try:
            self.table.setRowCount(len(self._items))
            for row, item in enumerate(self._items):
                form = (
                    self.tr("note")
                    if item.get("type") == "note"
                    else item.get("form_title") or item.get("form_id")
                )
                status = item.get("status") or ""
                if item.get("reason"):
                    status = f"{status}: {item.get('reason')}"
                values = [
                    local_time(item.get("time")),
                    item.get("username"),
                    item.get("route_id") or "",
                    item.get("segment_id") or "",
                    form,
                    answers_text(item),
                    status,
                ]
                key = str(item.get("position"))
                for col, value in enumerate(values):
                    self.table.setItem(row, col, cell(value, key=key))
        finally:
            self.table.blockSignals(False)

    def items(self) -> list[dict[str, Any]]:
        return list(self._items)

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _on_table_selection(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._items):
            return
        item = self._items[rows[0].row()]
        where = (
            self.tr("at %1, %2 (shown on the map)")
            .replace("%1", f"{item['lat']:.5f}")
            .replace("%2", f"{item['lon']:.5f}")
            if item.get("lat") is not None and item.get("lon") is not None
            else self.tr("no position recorded")
        )
        lines = [
            self.tr("%1 — %2 on %3, segment %4, %5")
            .replace("%1", local_time(item.get("time")))
            .replace("%2", str(item.get("username")))
            .replace("%3", str(item.get("route_id") or self.tr("no route")))
            .replace("%4", str(item.get("segment_id") or "—"))
            .replace("%5", where),
            answers_text(item).replace("; ", "\n"),
        ]
        self.detail.setText("\n".join(lines))
        self.item_selected.emit(item)
