"""MessageStrip: the supervisor's oldest unread message across the top of the map,
acknowledged with one tap.

While the vehicle moves the strip only says a message is waiting (no reading while
driving) and the OK button waits for a stop, so "read" means read.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from client.models import SupervisorMessage
from ui.formatting import clock

TOUCH_PX = 64


class MessageStrip(QWidget):
    acknowledged = Signal(str)  # message id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageStrip")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._messages: list[SupervisorMessage] = []
        self._moving = False
        self.text_label = QLabel(self)
        self.text_label.setObjectName("message_text")
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        self.text_label.setWordWrap(True)
        self.text_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        font = QFont(self.text_label.font())
        font.setPixelSize(22)
        self.text_label.setFont(font)
        self.ok_button = QPushButton(self)
        self.ok_button.setObjectName("message_ok")
        self.ok_button.setMinimumSize(TOUCH_PX * 2, TOUCH_PX)
        self.ok_button.clicked.connect(self._on_ok_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.ok_button)
        self.hide()

    @property
    def current(self) -> SupervisorMessage | None:
        return self._messages[0] if self._messages else None

    def set_messages(self, unread: list[SupervisorMessage]) -> None:
        self._messages = list(unread)
        self._redraw()

    def set_moving(self, moving: bool) -> None:
        self._moving = moving
        self._redraw()

    def acknowledge_current(self) -> None:
        """The keyboard's way to tap OK (refused while moving, like the button)."""
        if self.current is not None and not self._moving:
            self.acknowledged.emit(self.current.id)

    def _on_ok_clicked(self) -> None:
        self.acknowledge_current()

    def _redraw(self) -> None:
        message = self.current
        if message is None:
            self.hide()
            return
        more = len(self._messages) - 1
        if self._moving:
            text = self.tr("Message from your supervisor: stop to read it.")
        else:
            sender = message.sender or self.tr("Supervisor")
            when = ""
            if message.sent_at:
                try:
                    when = " · " + clock(datetime.fromisoformat(message.sent_at))
                except ValueError:
                    when = ""
            text = f"{sender}{when}: {message.text}"
        if more > 0:
            text += "  " + self.tr("(%1 more)").replace("%1", str(more))
        self.text_label.setText(text)
        self.ok_button.setText(self.tr("OK, read"))
        self.ok_button.setEnabled(not self._moving)
        self.ok_button.setToolTip("Enter")
        self.show()

    def retranslate(self) -> None:
        self._redraw()
