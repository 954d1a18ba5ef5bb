"""A form rendered natively from its definition (`wire.forms`), answered by touch.

Every text from the definition (title, labels, help, choices) is shown as plain text:
a label like `<img src=x onerror=…>` appears literally. Choices, ratings and yes/no are
large checkable buttons; numbers and short text are line edits (the form is only
offered when the vehicle is stopped). "Send" checks the answers with the server's own
rules and either names the question to fix or emits `submitted` with the answers.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from wire.forms import (
    MULTIPLE_CHOICE,
    NUMBER,
    RATING,
    RATING_MAX,
    RATING_MIN,
    SHORT_TEXT,
    SINGLE_CHOICE,
    YES_NO,
    check_answers,
)

TOUCH_PX = 64


# Read at arm's length in a cab: the same size as the answer buttons' text.
LABEL_POINT_SIZE = 15


def _plain(text: str, *, bold: bool = False, wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    font = label.font()
    font.setPointSize(LABEL_POINT_SIZE)
    font.setBold(bold)
    label.setFont(font)
    return label


class FormView(QWidget):
    """One form; `submitted(dict)` carries question id → answer for the answered ones."""

    submitted = Signal(dict)
    cancelled = Signal()

    def __init__(self, definition: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.definition = definition
        self._readers: dict[str, Callable[[], Any]] = {}
        self._groups: list[QButtonGroup] = []
        outer = QVBoxLayout(self)
        self.title = _plain(str(definition.get("title", "")), bold=True)
        outer.addWidget(self.title)
        if definition.get("description"):
            outer.addWidget(_plain(str(definition["description"])))
        body = QWidget()
        column = QVBoxLayout(body)
        for question in definition["questions"]:
            column.addWidget(self._question(question))
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # Questions wrap to the width; only a long form scrolls, and only vertically.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.error = _plain("")
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color: #b00020;")
        outer.addWidget(self.error)
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.send_button = QPushButton(self.tr("Send"))
        for button in (self.cancel_button, self.send_button):
            button.setMinimumHeight(TOUCH_PX)
            buttons.addWidget(button)
        outer.addLayout(buttons)
        self.send_button.clicked.connect(self._on_send_clicked)
        self.cancel_button.clicked.connect(self.cancelled)

    def _question(self, question: dict[str, Any]) -> QWidget:
        box = QWidget()
        box.setObjectName(f"question-{question['id']}")
        layout = QVBoxLayout(box)
        label = str(question["label"]) + (" *" if question.get("required") else "")
        layout.addWidget(_plain(label, bold=True))
        if question.get("help"):
            layout.addWidget(_plain(str(question["help"])))
        qtype = question["type"]
        if qtype in (SINGLE_CHOICE, MULTIPLE_CHOICE, RATING, YES_NO):
            if qtype == RATING:
                options: list[tuple[str, Any]] = [
                    (str(n), n) for n in range(RATING_MIN, RATING_MAX + 1)
                ]
            elif qtype == YES_NO:
                options = [(self.tr("Yes"), True), (self.tr("No"), False)]
            else:
                options = [(str(c), c) for c in question["choices"]]
            layout.addWidget(self._buttons(question["id"], options, qtype == MULTIPLE_CHOICE))
        else:
            edit = QLineEdit()
            edit.setObjectName(f"input-{question['id']}")
            edit.setMinimumHeight(TOUCH_PX)
            if qtype == SHORT_TEXT:
                edit.setMaxLength(int(question.get("max_length", 200)))
                self._readers[question["id"]] = partial(_text_or_none, edit)
            else:
                self._readers[question["id"]] = partial(_number_of, edit)
            layout.addWidget(edit)
        return box

    def _buttons(self, qid: str, options: list[tuple[str, Any]], multiple: bool) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        group = QButtonGroup(row)
        group.setExclusive(not multiple)
        self._groups.append(group)
        values: dict[QPushButton, Any] = {}
        for text, value in options:
            button = QPushButton(text)  # QPushButton text is never rich text
            button.setCheckable(True)
            button.setMinimumHeight(TOUCH_PX)
            button.setObjectName(f"choice-{qid}")
            group.addButton(button)
            layout.addWidget(button)
            values[button] = value

        def read() -> Any:
            chosen = [v for b, v in values.items() if b.isChecked()]
            if multiple:
                return chosen or None
            return chosen[0] if chosen else None

        self._readers[qid] = read
        return row

    def answers(self) -> dict[str, Any]:
        out = {}
        for qid, read in self._readers.items():
            value = read()
            if value is not None:
                out[qid] = value
        return out

    def _on_send_clicked(self) -> None:
        answers = self.answers()
        bad_number = [
            q["id"]
            for q in self.definition["questions"]
            if q["type"] == NUMBER
            and q["id"] not in answers
            and self.findChild(QLineEdit, f"input-{q['id']}").text().strip()  # type: ignore[union-attr]
        ]
        if bad_number:
            self.error.setText(
                self.tr("question {0!r}: the answer must be a number").replace(
                    "{0!r}", repr(bad_number[0])
                )
            )
            return
        reason = check_answers(self.definition, answers)
        if reason:
            self.error.setText(reason)
            return
        self.error.setText("")
        self.submitted.emit(answers)


def _number(text: str) -> float | int | None:
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() and "." not in text else value


def _text_or_none(edit: QLineEdit) -> str | None:
    return edit.text().strip() or None


def _number_of(edit: QLineEdit) -> float | int | None:
    return _number(edit.text())
