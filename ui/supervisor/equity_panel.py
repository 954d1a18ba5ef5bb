"""The equity table: per imported area (sweeping district, ward), completion, days since
the last sweep and segments, worst served first, so uneven service stands out."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ui.supervisor.common import cell, local_time, make_table, plain_label


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def worst_first(areas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Never swept first, then the longest since a sweep, then the lowest completion."""

    def key(area: dict[str, Any]) -> tuple[float, float, str]:
        days = _number(area.get("days_since_last_sweep"))
        pct = _number(area.get("completion_pct")) or 0.0
        return (-(days if days is not None else float("inf")), pct, str(area.get("name")))

    return sorted(areas, key=key)


class EquityPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.setObjectName("equityRefresh")
        self.summary = plain_label(name="equitySummary")
        self.table = make_table(
            [
                self.tr("Area"),
                self.tr("Completion"),
                self.tr("Days since last sweep"),
                self.tr("Segments"),
                self.tr("Last sweep"),
            ],
            name="equityTable",
        )
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.areas: list[dict[str, Any]] = []

    def show_areas(self, areas: list[dict[str, Any]]) -> None:
        self.areas = worst_first(areas)
        if not self.areas:
            self.summary.setText(
                self.tr(
                    "No areas imported: load districts or wards with "
                    "`python -m server import-areas`."
                )
            )
        else:
            self.summary.setText(
                self.tr(
                    "%1 areas, worst served first (never swept, then longest since a sweep, "
                    "then lowest completion)."
                ).replace("%1", str(len(self.areas)))
            )
        self.table.setRowCount(len(self.areas))
        for row, area in enumerate(self.areas):
            days = _number(area.get("days_since_last_sweep"))
            pct = _number(area.get("completion_pct")) or 0.0
            kind = str(area.get("kind") or "")
            values = [
                f"{area.get('name')} ({kind})" if kind else str(area.get("name")),
                f"{pct:.1f} %",
                self.tr("never swept") if days is None else f"{days:.1f}",
                str(area.get("segments") or 0),
                local_time(area.get("last_swept_at")) or "—",
            ]
            key = str(area.get("id") or "")
            for col, value in enumerate(values):
                self.table.setItem(row, col, cell(value, key=key))
