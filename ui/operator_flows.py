"""The operator's flows: the shift, forms, notes, exceptions, logging in again.

Each flow that needs typing or reading goes through one guard, `only_when_stopped`: while
the motion lock says moving it shows why in a toast and does nothing. Each flow that
writes goes through `reports_storage_errors`: a full disk becomes words on the screen, not
an exception out of a Qt slot. Dialogs open while the vehicle moves off are closed by
`close_for_motion`, keeping what was typed.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QDialog

from client.errors import StorageError
from ui.operator_frame import OperatorFrame
from ui.themes import style_sheet

if TYPE_CHECKING:
    from client.models import CurbSide, ExceptionKind
    from ui.feedback import FormDialog
    from ui.note_dialog import NoteDialog
    from ui.shift import EndOfShiftDialog

log = logging.getLogger("sweepline.ui.operator")

# A note added within this long of an exception is attached to it.
NOTE_ABOUT_EXCEPTION_S = 600

_Slot = TypeVar("_Slot", bound=Callable[..., None])


def reports_storage_errors(slot: _Slot) -> _Slot:
    """An operator action that writes: a `StorageError` (disk full) becomes words."""

    @functools.wraps(slot)
    def guarded(self: OperatorFlows, *args: object) -> None:
        try:
            slot(self, *args)
        except StorageError as exc:
            self.show_storage_error(exc)

    return guarded  # type: ignore[return-value]


def only_when_stopped(why: object) -> Callable[[_Slot], _Slot]:
    """The in-cab rule for one flow: refused while moving, with `why` (translated in the
    "OperatorWindow" context) in a toast."""

    def wrap(slot: _Slot) -> _Slot:
        @functools.wraps(slot)
        def guarded(self: OperatorFlows, *args: object) -> None:
            if self.motion.is_moving:
                self.show_toast(QCoreApplication.translate("OperatorWindow", str(why)))
                return
            slot(self, *args)

        return guarded  # type: ignore[return-value]

    return wrap


class OperatorFlows(OperatorFrame):
    """The frame plus what the operator does with it."""

    note_draft: str = ""
    note_dialog: NoteDialog | None = None
    end_dialog: EndOfShiftDialog | None = None
    # The open form (feedback or end-of-shift survey), and forms closed by moving off,
    # kept with what was entered until reopened while stopped.
    form_dialog: FormDialog | None = None
    _last_exception: tuple[str, datetime] | None = None

    def _init_flows(self) -> None:
        self._kept_forms: dict[str, FormDialog] = {}

    # -- the shift -----------------------------------------------------------------------

    @reports_storage_errors
    def _on_shift_button_clicked(self) -> None:
        tablet = self._tablet
        if tablet.assignment is None:
            return
        if not tablet.shift_active:
            tablet.start_shift()
            self.cue.tap()
            self.show_toast(self.tr("Shift started: GPS recording is on."))
            return
        self.request_end_shift()

    @reports_storage_errors
    @only_when_stopped(QT_TRANSLATE_NOOP("OperatorWindow", "Stop the vehicle to end the shift."))
    def request_end_shift(self) -> None:
        """End the shift, after the end-of-shift check when anything is not swept."""
        tablet = self._tablet
        unswept = tablet.unswept_segments()
        if not unswept:
            tablet.end_shift()
            self.show_toast(self.tr("Shift ended: everything is swept."))
            self.open_end_of_shift_survey()
            return
        assert tablet.assignment is not None
        from ui.shift import EndOfShiftDialog

        by_id = {s.id: s for s in tablet.assignment.route.segments}
        dialog = EndOfShiftDialog([by_id[sid] for sid in unswept if sid in by_id], self)
        dialog.setStyleSheet(style_sheet(self.theme))
        dialog.resize(min(self.width() - 40, 1180), min(self.height() - 40, 720))
        dialog.finished.connect(self._on_end_dialog_finished)
        self.end_dialog = dialog
        dialog.open()

    @reports_storage_errors
    def _on_end_dialog_finished(self, result: int) -> None:
        dialog, self.end_dialog = self.end_dialog, None
        if dialog is None:
            return
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted:
            return
        tablet = self._tablet
        for segment_id, reason in dialog.reasons().items():
            tablet.mark_not_swept(segment_id, reason)
        tablet.end_shift(left_open=dialog.left_open())
        self.show_toast(self.tr("Shift ended. Thank you."))
        self.open_end_of_shift_survey()

    # -- logging in again ----------------------------------------------------------------

    @only_when_stopped(QT_TRANSLATE_NOOP("OperatorWindow", "Stop the vehicle to log in"))
    def request_login(self) -> None:
        """The login screen is typing: only when stopped (in-cab rule)."""
        self.login_requested.emit()

    def logged_in_again(self) -> None:
        """The composition root's word that the new login took: say so."""
        self.show_toast(self.tr("Logged in: uploading resumes."))

    # -- pilot feedback: forms -----------------------------------------------------------

    @only_when_stopped(QT_TRANSLATE_NOOP("OperatorWindow", "Stop the vehicle to give feedback"))
    def open_feedback(self) -> None:
        """The short feedback form (typing: only when stopped)."""
        from ui.feedback import FEEDBACK_FORM

        if not self._open_form(FEEDBACK_FORM, self.tr("Feedback")):
            self.show_toast(
                self.tr("The feedback form is not on this tablet yet: it comes with the next sync.")
            )

    def open_end_of_shift_survey(self) -> None:
        """The pilot's end-of-shift survey, if the tablet has it (after the shift ended);
        silently not while moving (the operator asked for nothing)."""
        if self.motion.is_moving:
            return
        from ui.feedback import END_OF_SHIFT_FORM

        self._open_form(END_OF_SHIFT_FORM, self.tr("End-of-shift survey"))

    def _open_form(self, form_id: str, title: str) -> bool:
        # Forms (and their rules) load with the first one opened, not with the window.
        from ui.feedback import AnswersForms, FormDialog

        tablet = self._tablet
        if not isinstance(tablet, AnswersForms):
            return False
        if self.form_dialog is not None:
            return True
        definition = tablet.forms.get(form_id)
        if definition is None:
            return False
        dialog = self._kept_forms.pop(form_id, None)
        if dialog is not None and dialog.form_version != int(definition["version"]):
            dialog.deleteLater()  # a newer version arrived: start it afresh
            dialog = None
        if dialog is None:
            dialog = FormDialog(definition, title, self)
            dialog.finished.connect(self._on_form_dialog_finished)
        dialog.closed_by_motion = False
        dialog.setStyleSheet(style_sheet(self.theme))
        self.form_dialog = dialog
        dialog.open()
        return True

    def _on_form_dialog_finished(self, result: int) -> None:
        dialog, self.form_dialog = self.form_dialog, None
        if dialog is None:
            return
        if dialog.closed_by_motion:
            self._kept_forms[dialog.form_id] = dialog
            self.show_toast(self.tr("Moving: your answers are kept for when you stop."))
            return
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted:
            return
        from ui.feedback import AnswersForms

        tablet = self._tablet
        assert isinstance(tablet, AnswersForms)
        try:
            tablet.answer_form(dialog.form_id, dialog.answers)
        except StorageError as exc:
            self.show_storage_error(exc)
            return
        except (LookupError, ValueError) as exc:
            log.error("form %s: answer not recorded: %s", dialog.form_id, exc)
            self.show_toast(
                self.tr("The answer could not be saved (%1). Try again when stopped.").replace(
                    "%1", str(exc)
                )
            )
            return
        self.show_toast(self.tr("Thank you: your answer is saved."))

    # -- exceptions and notes --------------------------------------------------------------

    def _on_exception_bar_requested(self, kind: str, side: str) -> None:
        from client.models import CurbSide, ExceptionKind

        self.report_exception(ExceptionKind(kind), CurbSide(side))

    @reports_storage_errors
    def report_exception(self, kind: ExceptionKind, side: CurbSide) -> None:
        """One tap: an exception at the current segment and position, as one fact."""
        tablet = self._tablet
        if tablet.assignment is None:
            self.show_toast(self.tr("No assignment: nothing to report against."))
            return
        event_id = tablet.record_exception(kind.value, side.value)
        self._last_exception = (event_id, tablet.clock.now())
        self.cue.tap()
        segment_id = tablet.current_segment()
        street = ""
        if segment_id is not None:
            street = next(
                (s.street for s in tablet.assignment.route.segments if s.id == segment_id), ""
            )
        from ui.segment_views import reason_name, side_name

        text = (
            self.tr("Reported: %1, %2 curb, %3")
            .replace("%1", reason_name(kind.value))
            .replace("%2", side_name(side.value))
            .replace("%3", street or self.tr("off the route"))
        )
        self.show_toast(text)
        self.exception_reported(event_id)

    def exception_reported(self, event_id: str) -> None:
        """After an exception is recorded: overridden by the window to pin it."""
        raise NotImplementedError

    def _exception_still_fresh(self) -> str | None:
        if self._last_exception is None:
            return None
        age = (self._tablet.clock.now() - self._last_exception[1]).total_seconds()
        return self._last_exception[0] if age <= NOTE_ABOUT_EXCEPTION_S else None

    @only_when_stopped(QT_TRANSLATE_NOOP("OperatorWindow", "Stop the vehicle to type a note."))
    def open_note(self) -> None:
        """The note editor (typing: only when stopped)."""
        if self.note_dialog is not None:
            return
        about = ""
        if self._exception_still_fresh() is not None:
            about = self.tr("Add a note to the exception you just reported")
        from ui.note_dialog import NoteDialog

        dialog = NoteDialog(self.note_draft, about, self)
        dialog.setStyleSheet(style_sheet(self.theme))
        dialog.finished.connect(self._on_note_dialog_finished)
        self.note_dialog = dialog
        dialog.open()
        dialog.editor.setFocus()

    def _on_note_dialog_finished(self, result: int) -> None:
        dialog, self.note_dialog = self.note_dialog, None
        if dialog is None:
            return
        dialog.deleteLater()
        if result == QDialog.DialogCode.Accepted and dialog.text.strip():
            try:
                self._tablet.add_note(dialog.text, about=self._exception_still_fresh())
            except StorageError as exc:
                self.note_draft = dialog.text  # kept on screen for the next try
                self.show_storage_error(exc)
                return
            self.note_draft = ""
            self.show_toast(self.tr("Note saved."))
        elif dialog.closed_by_motion:
            self.note_draft = dialog.text
            self.show_toast(self.tr("Moving: the note is kept for when you stop."))
        else:
            self.note_draft = ""

    def _on_motion_changed(self, moving: bool) -> None:
        self.exception_bar.set_moving(moving)
        self.message_strip.set_moving(moving)
        if not moving:
            return
        if self.note_dialog is not None:
            self.note_dialog.close_for_motion()
        if self.form_dialog is not None:
            self.form_dialog.close_for_motion()
        if self.end_dialog is not None:
            self.end_dialog.reject()

    # -- messages ------------------------------------------------------------------------

    @reports_storage_errors
    def _on_message_strip_acknowledged(self, message_id: str) -> None:
        self._tablet.acknowledge_message(message_id)
