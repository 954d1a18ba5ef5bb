"""Route progress per route and operator, and the selected route's per-segment history
(swept when, by whom, passes, exceptions)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QPushButton, QSplitter, QVBoxLayout, QWidget

from ui.supervisor.common import cell, local_time, make_table, plain_label


class ProgressPanel(QWidget):
    route_selected = Signal(str)
    refresh_requested = Signal()
    evidence_requested = Signal(str, str)  # route id, segment id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.routes = make_table(
            [
                self.tr("Route"),
                self.tr("Operators today"),
                self.tr("Progress"),
                self.tr("Swept"),
                self.tr("Segments"),
            ],
            name="progressRoutes",
        )
        self.routes.itemSelectionChanged.connect(self._on_routes_selection)
        self.history_title = plain_label(
            self.tr("Select a route to see its segments."), name="historyTitle"
        )
        self.history = make_table(
            [
                self.tr("Segment"),
                self.tr("Street"),
                self.tr("Passes"),
                self.tr("Last swept"),
                self.tr("By"),
                self.tr("Sweeps"),
                self.tr("Exceptions"),
            ],
            name="segmentHistory",
        )
        refresh = QPushButton(self.tr("Refresh"))
        refresh.clicked.connect(self.refresh_requested.emit)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.history_title)
        lower_layout.addWidget(self.history, 1)
        self.evidence_button = QPushButton(self.tr("Street evidence for the selected segment"))
        self.evidence_button.setObjectName("segmentEvidence")
        self.evidence_button.clicked.connect(self._on_evidence_clicked)
        lower_layout.addWidget(self.evidence_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.routes)
        split.addWidget(lower)
        split.setSizes([200, 400])
        layout = QVBoxLayout(self)
        layout.addWidget(refresh)
        layout.addWidget(split, 1)
        self._route_ids: list[str] = []

    def show_progress(self, routes: list[dict[str, Any]]) -> None:
        selected = self.selected_route()
        self.routes.blockSignals(True)
        try:
            self.routes.setRowCount(len(routes))
            self._route_ids = [str(r.get("route_id")) for r in routes]
            for row, r in enumerate(routes):
                rid = str(r.get("route_id"))
                values = [
                    f"{r.get('name')} ({rid})",
                    ", ".join(str(o) for o in r.get("operators") or []) or "—",
                    f"{float(r.get('pct') or 0):.0f} %",
                    self.tr("%1 of %2 km")
                    .replace("%1", f"{float(r.get('swept_m') or 0) / 1000:.1f}")
                    .replace("%2", f"{float(r.get('length_m') or 0) / 1000:.1f}"),
                    self.tr("%1 of %2")
                    .replace("%1", str(r.get("segments_swept")))
                    .replace("%2", str(r.get("segments"))),
                ]
                for col, value in enumerate(values):
                    self.routes.setItem(row, col, cell(value, key=rid))
            if selected in self._route_ids:
                self.routes.selectRow(self._route_ids.index(selected))
        finally:
            self.routes.blockSignals(False)

    def selected_route(self) -> str | None:
        rows = self.routes.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._route_ids):
            return None
        return self._route_ids[rows[0].row()]

    def select_route(self, route_id: str) -> None:
        if route_id in self._route_ids:
            self.routes.selectRow(self._route_ids.index(route_id))

    def show_history(self, route_id: str, segments: list[dict[str, Any]]) -> None:
        swept = sum(1 for s in segments if s.get("swept_at"))
        self.history_title.setText(
            self.tr("%1: %2 of %3 segments swept")
            .replace("%1", route_id)
            .replace("%2", str(swept))
            .replace("%3", str(len(segments)))
        )
        self.history.setRowCount(len(segments))
        for row, s in enumerate(segments):
            sweeps = "; ".join(
                f"{local_time(w.get('time'))} {w.get('username')}"
                + (f" ({w.get('side')})" if w.get("side") else "")
                + _claimed(w)
                for w in s.get("sweeps") or []
            )
            exceptions = "; ".join(
                f"{local_time(e.get('time'))} {e.get('kind')}"
                + (f": {e.get('note')}" if e.get("note") else "")
                + _claimed(e)
                for e in s.get("exceptions") or []
            )
            values = [
                s.get("segment_id"),
                s.get("street"),
                s.get("passes"),
                local_time(s.get("swept_at")) or self.tr("not yet"),
                s.get("swept_by") or "",
                sweeps,
                exceptions,
            ]
            for col, value in enumerate(values):
                self.history.setItem(row, col, cell(value, key=str(s.get("segment_id"))))

    def _on_evidence_clicked(self) -> None:
        route_id = self.selected_route()
        rows = self.history.selectionModel().selectedRows()
        if route_id is None or not rows:
            self.history_title.setText(self.tr("Select a segment of the route first."))
            return
        item = self.history.item(rows[0].row(), 0)
        if item is not None:
            self.evidence_requested.emit(route_id, str(item.data(Qt.ItemDataRole.UserRole)))

    def _on_routes_selection(self) -> None:
        route_id = self.selected_route()
        if route_id is not None:
            self.route_selected.emit(route_id)


def _claimed(entry: dict[str, Any]) -> str:
    """The server set the tablet's time aside as implausible (it shows when it received
    the fact instead): say what the tablet claimed, so a wrong clock is noticed."""
    claimed = entry.get("claimed_time")
    if not claimed:
        return ""
    return QCoreApplication.translate("ProgressPanel", " [the tablet's clock said %1]").replace(
        "%1", str(claimed)
    )
