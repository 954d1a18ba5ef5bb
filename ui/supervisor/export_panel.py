"""Exports of progress, exceptions and feedback as CSV or GeoJSON files, saved unchanged
as the server wrote them into a folder the supervisor picks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from staff.api import EXPORT_FORMATS, EXPORT_KINDS
from ui.supervisor.common import named, plain_label

_FORMAT_NAMES = {"csv": "CSV", "geojson": "GeoJSON"}


class ExportPanel(QWidget):
    export_requested = Signal(str, str, str)  # kind, format, folder

    def __init__(self, parent: QWidget | None = None, *, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.folder = named(QLineEdit(str(folder or Path.home())), "exportFolder")
        choose = QPushButton(self.tr("Choose folder…"))
        choose.clicked.connect(self._on_choose_clicked)
        row = QHBoxLayout()
        row.addWidget(plain_label(self.tr("Save into"), wrap=False))
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        grid = QGridLayout()
        kinds = {
            "progress": self.tr("Progress"),
            "exceptions": self.tr("Exceptions"),
            "feedback": self.tr("Feedback"),
        }
        self.buttons: dict[tuple[str, str], QPushButton] = {}
        for r, kind in enumerate(EXPORT_KINDS):
            for c, fmt in enumerate(EXPORT_FORMATS):
                button = QPushButton(
                    self.tr("%1 as %2").replace("%1", kinds[kind]).replace("%2", _FORMAT_NAMES[fmt])
                )
                button.setObjectName(f"export_{kind}_{fmt}")
                button.setMinimumHeight(40)
                button.clicked.connect(
                    lambda _checked=False, k=kind, f=fmt: self.export_requested.emit(
                        k, f, self.folder.text().strip()
                    )
                )
                grid.addWidget(button, r, c)
                self.buttons[(kind, fmt)] = button
        self.result = plain_label(name="exportResult")
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addLayout(grid)
        layout.addWidget(self.result)
        layout.addStretch(1)

    def _on_choose_clicked(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Save exports into"), self.folder.text()
        )
        if chosen:
            self.folder.setText(chosen)
