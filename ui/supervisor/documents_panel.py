"""The Evidence and Report tab: a street's evidence (pick the route and segment) and
the daily pilot report (pick the day), each fetched from the server as one printable
HTML page, shown here and saved as a file to print or mail.

The page is the server's (the same file the API gives anyone with a staff login), shown
in a web view of its own: it carries its Leaflet inline and loads nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QLocale, QUrl, Signal
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from staff.api import SupervisorApi
from ui.supervisor.common import named, plain_label

Spawn = Callable[[str, Coroutine[Any, Any, Any], Callable[[Any], None]], None]
LANGUAGES = (("en", "English"), ("fr", "Français"))


class DocumentsPanel(QWidget):
    # Emitted with the file name once a page is shown (for tests and the status line).
    shown = Signal(str)

    def __init__(
        self,
        api: SupervisorApi,
        spawn: Spawn,
        folder: Callable[[], Path],
        parent: QWidget | None = None,
    ) -> None:
        """`folder` tells where to save (the Export tab's folder, read at save time)."""
        super().__init__(parent)
        self.api = api
        self._spawn = spawn
        self.folder = folder
        self.route = named(QComboBox(), "evidenceRoute")
        self.route.currentIndexChanged.connect(self._on_route_changed)
        self.segment = named(QComboBox(), "evidenceSegment")
        self.day = named(QDateEdit(QDate.currentDate()), "reportDay")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.language = named(QComboBox(), "documentLanguage")
        for code, name in LANGUAGES:
            self.language.addItem(name, code)
        if QLocale().name().startswith("fr"):
            self.language.setCurrentIndex(1)
        evidence = named(QPushButton(self.tr("Show the street's evidence")), "showEvidence")
        evidence.clicked.connect(self.show_evidence)
        report = named(QPushButton(self.tr("Show the day's report")), "showReport")
        report.clicked.connect(self.show_report)
        self.save_button = named(QPushButton(self.tr("Save as a file")), "saveDocument")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        grid = QGridLayout()
        grid.addWidget(plain_label(self.tr("Route"), wrap=False), 0, 0)
        grid.addWidget(self.route, 0, 1)
        grid.addWidget(plain_label(self.tr("Street segment"), wrap=False), 0, 2)
        grid.addWidget(self.segment, 0, 3)
        grid.addWidget(evidence, 0, 4)
        grid.addWidget(plain_label(self.tr("Day"), wrap=False), 1, 0)
        grid.addWidget(self.day, 1, 1)
        grid.addWidget(plain_label(self.tr("Language"), wrap=False), 1, 2)
        grid.addWidget(self.language, 1, 3)
        grid.addWidget(report, 1, 4)
        self.view = QWebEngineView(self)
        self.view.setObjectName("documentView")
        self.result = plain_label(name="documentResult")
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.save_button)
        layout.addWidget(self.result)
        self._segments: dict[str, list[tuple[str, str]]] = {}
        self.html: bytes = b""
        self.file_name = ""

    def set_routes(self, routes: list[tuple[str, str, list[tuple[str, str]]]]) -> None:
        """(route id, name, [(segment id, street)]) of every route."""
        current = self.route.currentData()
        self._segments = {rid: segs for rid, _, segs in routes}
        self.route.blockSignals(True)
        self.route.clear()
        for rid, name, _ in routes:
            self.route.addItem(name, rid)
        if current is not None and self.route.findData(current) >= 0:
            self.route.setCurrentIndex(self.route.findData(current))
        self.route.blockSignals(False)
        self._on_route_changed()

    def select(self, route_id: str, segment_id: str) -> None:
        self.route.setCurrentIndex(max(0, self.route.findData(route_id)))
        self.segment.setCurrentIndex(max(0, self.segment.findData(segment_id)))

    def _on_route_changed(self) -> None:
        self.segment.clear()
        for sid, street in self._segments.get(str(self.route.currentData()), []):
            self.segment.addItem(f"{street or '—'} ({sid})", sid)

    @property
    def lang(self) -> str:
        return str(self.language.currentData() or "en")

    def show_evidence(self) -> None:
        route_id, segment_id = self.route.currentData(), self.segment.currentData()
        if not isinstance(route_id, str) or not isinstance(segment_id, str):
            self.result.setText(self.tr("Choose a route and a street segment first."))
            return
        name = f"sweepline-evidence-{route_id}-{segment_id}-{self.lang}.html"
        self._spawn(
            "load the evidence",
            self.api.evidence(route_id, segment_id, lang=self.lang),
            lambda html: self._show(html, name),
        )

    def show_report(self) -> None:
        day = self.day.date().toString("yyyy-MM-dd")
        name = f"sweepline-report-{day}-{self.lang}.html"
        self._spawn(
            "load the report",
            self.api.daily_report(day, lang=self.lang),
            lambda html: self._show(html, name),
        )

    def _show(self, html: bytes, name: str) -> None:
        self.html, self.file_name = html, name
        self.view.setHtml(html.decode("utf-8"), QUrl("about:blank"))
        self.save_button.setEnabled(True)
        self.result.setText(name)
        self.shown.emit(name)

    def save(self) -> Path | None:
        """Write the page shown into the export folder; its path (None on failure)."""
        if not self.html:
            return None
        path = self.folder() / self.file_name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(self.html)
        except OSError as exc:
            self.result.setText(
                self.tr("Cannot write %1: %2")
                .replace("%1", str(path))
                .replace("%2", exc.strerror or str(exc))
            )
            return None
        self.result.setText(self.tr("Saved %1").replace("%1", str(path)))
        return path
