"""Pilot feedback on the tablet: a cached form (`FormView`) in a dialog.

Two forms the server seeds for the pilot: `pilot-feedback` (the operator screen's
Feedback button, only when stopped) and `pilot-end-of-shift` (offered once the shift has
ended). Both are answered offline: the answer is a `form_answer` fact in the outbox,
with the assignment, segment and position attached by the tablet core.

If the vehicle moves off while a form is open the dialog closes at once but is kept,
answers and all, and comes back as it was the next time it is opened while stopped.
"""

from __future__ import annotations

from typing import Any, Final, Protocol, runtime_checkable

from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from client.forms import FormCache
from ui.form_view import FormView

FEEDBACK_FORM: Final = "pilot-feedback"
END_OF_SHIFT_FORM: Final = "pilot-end-of-shift"


@runtime_checkable
class AnswersForms(Protocol):
    """The part of the tablet core that holds and answers forms (`app.tablet.Tablet`)."""

    @property
    def forms(self) -> FormCache: ...

    def answer_form(self, form_id: str, answers: dict[str, object]) -> int: ...


class FormDialog(QDialog):
    """One cached form, modal; after `accept()` the answers are in `answers`."""

    def __init__(
        self, definition: dict[str, Any], title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("FormDialog")
        self.setWindowTitle(title)
        self.setModal(True)
        self.form_id = str(definition["id"])
        self.form_version = int(definition["version"])
        self.closed_by_motion = False
        self.answers: dict[str, Any] = {}
        self.view = FormView(definition, self)
        self.view.submitted.connect(self._on_submitted)
        self.view.cancelled.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        self.resize(980, 620)

    def _on_submitted(self, answers: dict[str, Any]) -> None:
        self.answers = dict(answers)
        self.accept()

    def close_for_motion(self) -> None:
        self.closed_by_motion = True
        self.reject()
