"""Messages to one operator or to all, and each message's delivery and acknowledgement
status per recipient."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from staff.api import ALL_OPERATORS
from ui.supervisor.common import cell, local_time, make_table, named, plain_label

MAX_TEXT = 4000


def _status(recipients: list[dict[str, Any]], key: str) -> str:
    done = [r for r in recipients if r.get(key)]
    if len(recipients) == 1:
        return local_time(done[0].get(key)) if done else "not yet"
    return f"{len(done)} of {len(recipients)}"


class MessagesPanel(QWidget):
    send_requested = Signal(str, str)  # text, to (username or "*")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.to = named(QComboBox(), "messageTo")
        self.to.addItem(self.tr("All operators"), ALL_OPERATORS)
        self.text = named(QLineEdit(), "messageText", placeholder=self.tr("Message to the crew"))
        self.text.setMaxLength(MAX_TEXT)
        self.text.returnPressed.connect(self._on_send_clicked)
        self.send_button = named(QPushButton(self.tr("Send")), "messageSend")
        self.send_button.clicked.connect(self._on_send_clicked)
        self.result = plain_label(name="messageResult")
        row = QHBoxLayout()
        row.addWidget(self.to)
        row.addWidget(self.text, 1)
        row.addWidget(self.send_button)
        self.table = make_table(
            [
                self.tr("Sent"),
                self.tr("To"),
                self.tr("Text"),
                self.tr("Delivered"),
                self.tr("Acknowledged"),
            ],
            name="messagesTable",
        )
        self.table.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.result)
        layout.addWidget(self.table, 1)
        self._messages: list[dict[str, Any]] = []

    def set_operators(self, operators: list[str]) -> None:
        current = self.to.currentData()
        wanted = [ALL_OPERATORS, *operators]
        if [self.to.itemData(i) for i in range(self.to.count())] == wanted:
            return
        self.to.clear()
        self.to.addItem(self.tr("All operators"), ALL_OPERATORS)
        for name in operators:
            self.to.addItem(name, name)
        self.to.setCurrentIndex(max(self.to.findData(current), 0))

    def select_recipient(self, to: str) -> None:
        self.to.setCurrentIndex(max(self.to.findData(to), 0))

    def show_messages(self, messages: list[dict[str, Any]]) -> None:
        """Newest first, as the server lists them."""
        self._messages = list(messages)
        self.table.setRowCount(len(messages))
        for row, m in enumerate(messages):
            recipients = list(m.get("recipients") or [])
            to = "all operators" if m.get("to") == ALL_OPERATORS else m.get("to")
            values = [
                local_time(m.get("sent_at")),
                to,
                m.get("text"),
                _status(recipients, "delivered_at"),
                _status(recipients, "acked_at"),
            ]
            for col, value in enumerate(values):
                self.table.setItem(row, col, cell(value, key=str(m.get("id"))))
            tip = "\n".join(
                self.tr("%1: delivered %2, acknowledged %3")
                .replace("%1", str(r.get("username")))
                .replace("%2", local_time(r.get("delivered_at")) or self.tr("not yet"))
                .replace("%3", local_time(r.get("acked_at")) or self.tr("not yet"))
                for r in recipients
            )
            for col in (3, 4):
                item = self.table.item(row, col)
                if item is not None:
                    item.setToolTip(tip)

    def _on_send_clicked(self) -> None:
        text = self.text.text().strip()
        if not text:
            self.result.setText(self.tr("Write the message first."))
            return
        self.send_requested.emit(text, str(self.to.currentData()))
