"""NoteDialog: a typed note, only once the vehicle is stopped.

If the vehicle moves off while the dialog is open it closes at once, and what was typed
is kept as a draft for the next time (nothing typed is lost).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

TOUCH_PX = 64


class NoteDialog(QDialog):
    def __init__(self, draft: str = "", about: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NoteDialog")
        self.setWindowTitle(self.tr("Note"))
        self.setModal(True)
        self.closed_by_motion = False
        heading = QLabel(about or self.tr("Add a note for your supervisor"), self)
        heading.setWordWrap(True)
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("note_text")
        self.editor.setPlainText(draft)
        self.editor.setMinimumHeight(160)
        self.save_button = QPushButton(self.tr("Save note"), self)
        self.save_button.setObjectName("save_note")
        self.save_button.setMinimumHeight(TOUCH_PX)
        self.save_button.clicked.connect(self.accept)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setMinimumHeight(TOUCH_PX)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.editor, 1)
        layout.addLayout(buttons)
        self.resize(640, 360)

    @property
    def text(self) -> str:
        return self.editor.toPlainText()

    def close_for_motion(self) -> None:
        self.closed_by_motion = True
        self.reject()
