"""OperatorWindow: the in-cab screen, a frame around its panels.

Top: today's assignment and the shift button; under it the supervisor's message strip;
in the middle the map (with the tap panel and re-centre) and the progress panel; below
the map the one-tap exception bar; at the bottom, always in the same place, the status
strip with its banners. The window routes each `Changes` from the core to the panel it
concerns, applies the day/night theme, enforces the in-cab rule (no typing or reading
dialogs above 5 km/h) and offers keyboard shortcuts for a laptop.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from client.errors import StorageError
from ui.motion import MotionGate
from ui.route_map import RouteMap
from ui.themes import Theme, ThemeMode, next_mode, style_sheet, theme_for

if TYPE_CHECKING:
    # The panels, the data model and Qt's enum namespace (tens of milliseconds each) load
    # with `build_panels`, after the map is on screen; here they are annotations only.
    from client.models import Changes, CurbSide, ExceptionKind, GpsState, SyncState
    from ui.core_bridge import CoreBridge
    from ui.exceptions_bar import ExceptionBar
    from ui.feedback import FormDialog
    from ui.messages_strip import MessageStrip
    from ui.note_dialog import NoteDialog
    from ui.progress_panel import ProgressPanel
    from ui.shift import EndOfShiftDialog
    from ui.status_panel import StatusPanel
    from ui.tablet_protocol import TabletLike

log = logging.getLogger("sweepline.ui.operator")

SIDE_PANEL_WIDTH_PX = 400
TOUCH_TARGET_PX = 64
# The top bar (a two-line assignment), and the exception bar with the status strip, at
# the default font: the map keeps its size when they arrive after it at start-up.
TOP_BAR_PX = 88
BOTTOM_PANELS_PX = 152
TOAST_MS = 6000
CLOCK_TICK_MS = 30_000
# The charts (pyqtgraph, numpy: most of a second to load on a tablet) are drawn this
# long after the map shows the route, so the route's first paint never waits for them,
# or after CHARTS_AT_THE_LATEST_MS when the map never gets ready.
CHARTS_AFTER_MAP_MS = 300
CHARTS_AT_THE_LATEST_MS = 4000
# A note added within this long of an exception is attached to it.
NOTE_ABOUT_EXCEPTION_S = 600


_Slot = TypeVar("_Slot", bound=Callable[..., None])


def _reports_storage_errors(slot: _Slot) -> _Slot:
    """An operator action that writes: a `StorageError` (disk full) becomes words on the
    screen instead of an exception out of a Qt slot."""

    @functools.wraps(slot)
    def guarded(self: OperatorWindow, *args: object) -> None:
        try:
            slot(self, *args)
        except StorageError as exc:
            self.show_storage_error(exc)

    return guarded  # type: ignore[return-value]


class OperatorWindow(QMainWindow):
    """The operator's whole screen; `demo=True` adds the network cut button."""

    closed = Signal()
    # IT's "Export diagnostics" (Ctrl+Shift+D): the composition root knows where logs
    # and config live, so the window only asks.
    diagnostics_requested = Signal()
    # "Log in again" tapped while stopped: the composition root owns the session.
    login_requested = Signal()

    def __init__(
        self,
        tablet: TabletLike | None = None,
        *,
        demo: bool = False,
        theme_mode: ThemeMode | str = ThemeMode.AUTO,
        parent: QWidget | None = None,
        panels_later: bool = False,
    ) -> None:
        """Without `tablet` the window is a frame whose map is already loading its page:
        start-up shows it before the core exists and calls `attach` when it does, so
        Chromium starts while the rest of the application loads. Until then the controls
        are disabled. `panels_later=True` makes only the map and the places of the panels
        (start-up shows that first); `build_panels` adds them."""
        super().__init__(parent)
        self._tablet: TabletLike
        self.setWindowTitle(self.tr("Sweepline"))
        self.demo = demo
        self.theme_mode = ThemeMode(theme_mode)
        self.theme: Theme = theme_for(self.theme_mode)
        self.motion = MotionGate(self)
        self.note_draft = ""
        self.note_dialog: NoteDialog | None = None
        self.end_dialog: EndOfShiftDialog | None = None
        # The open form (feedback or end-of-shift survey), and forms closed by moving off,
        # kept with what was entered until reopened while stopped.
        self.form_dialog: FormDialog | None = None
        self._kept_forms: dict[str, FormDialog] = {}
        self._last_exception: tuple[str, datetime] | None = None
        self._shift_started_at: datetime | None = None
        self._attached = False
        self.panels_built = False
        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_TICK_MS)

        # Where each panel goes: the top bar; the message strip over the map; the side
        # panel beside it; the exception bar and the status strip under it.
        self._top = QWidget(self)
        self._top.setObjectName("TopBar")
        self._top.setMinimumHeight(TOP_BAR_PX)
        self._left = QVBoxLayout()
        self._left.setContentsMargins(0, 0, 0, 0)
        self._left.setSpacing(0)
        self.map_view = RouteMap(self)
        self._left.addWidget(self.map_view, 1)
        self._side = QWidget(self)
        self._side.setObjectName("SidePanel")
        self._side.setFixedWidth(SIDE_PANEL_WIDTH_PX)
        middle = QHBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.setSpacing(0)
        middle.addLayout(self._left, 1)
        middle.addWidget(self._side)
        self._frame = QVBoxLayout()
        self._frame.setContentsMargins(0, 0, 0, 0)
        self._frame.setSpacing(0)
        # The exception bar and the status strip, below: their height kept from the start
        # so the map does not change size when they come.
        self._bottom = QWidget(self)
        self._bottom.setMinimumHeight(BOTTOM_PANELS_PX)
        self._bottom_layout = QVBoxLayout(self._bottom)
        self._bottom_layout.setContentsMargins(0, 0, 0, 0)
        self._bottom_layout.setSpacing(0)
        self._frame.addWidget(self._top)
        self._frame.addLayout(middle, 1)
        self._frame.addWidget(self._bottom)
        central = QWidget(self)
        central.setObjectName("OperatorCentral")
        central.setLayout(self._frame)
        self.setCentralWidget(central)
        central.setEnabled(False)
        self.setStyleSheet(style_sheet(self.theme))
        self.map_view.set_theme(self.theme.name)
        if not panels_later:
            self.build_panels()
        if tablet is not None:
            self.attach(tablet)

    def build_panels(self) -> None:
        """Make the panels around the map (once): start-up calls this after the map page
        has started loading, so the first paint of the route does not wait for them."""
        if self.panels_built:
            return
        self.panels_built = True
        from PySide6.QtCore import Qt

        from ui.core_bridge import CoreBridge
        from ui.exceptions_bar import ExceptionBar
        from ui.messages_strip import MessageStrip
        from ui.progress_panel import ProgressPanel
        from ui.segment_views import page_labels
        from ui.status_panel import StatusPanel

        # -- top bar: today's assignment, the shift, the theme -----------------------------
        self.assignment_label = QLabel(self)
        self.assignment_label.setObjectName("assignment")
        self.assignment_label.setTextFormat(Qt.TextFormat.PlainText)
        self.assignment_label.setWordWrap(True)
        self.assignment_label.setSizePolicy(
            QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred
        )
        font = QFont(self.assignment_label.font())
        font.setPixelSize(22)
        font.setBold(True)
        self.assignment_label.setFont(font)
        self.shift_button = QPushButton(self)
        self.shift_button.setObjectName("shift_button")
        self.shift_button.setMinimumSize(TOUCH_TARGET_PX * 3, TOUCH_TARGET_PX)
        self.shift_button.clicked.connect(self._on_shift_button_clicked)
        self.theme_button = QPushButton(self)
        self.theme_button.setObjectName("theme_button")
        self.theme_button.setMinimumSize(TOUCH_TARGET_PX * 2, TOUCH_TARGET_PX)
        self.theme_button.clicked.connect(self.toggle_theme)
        self.feedback_button = QPushButton(self.tr("Feedback"), self)
        self.feedback_button.setObjectName("feedback_button")
        self.feedback_button.setMinimumSize(TOUCH_TARGET_PX * 2, TOUCH_TARGET_PX)
        self.feedback_button.setToolTip("F")
        self.feedback_button.clicked.connect(self.open_feedback)
        # Shown only while the server wants a new login (the queue waits meanwhile).
        self.login_button = QPushButton(self.tr("Log in again"), self)
        self.login_button.setObjectName("login_again_button")
        self.login_button.setMinimumSize(TOUCH_TARGET_PX * 3, TOUCH_TARGET_PX)
        self.login_button.clicked.connect(self.request_login)
        self.login_button.hide()
        self._top.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        top_layout = QHBoxLayout(self._top)
        top_layout.setContentsMargins(12, 6, 12, 6)
        top_layout.addWidget(self.assignment_label, 1)
        top_layout.addWidget(self.login_button)
        top_layout.addWidget(self.feedback_button)
        top_layout.addWidget(self.theme_button)
        top_layout.addWidget(self.shift_button)

        # -- middle: messages over the map, exceptions under it; progress beside ----------
        self.message_strip: MessageStrip = MessageStrip(self)
        self.message_strip.acknowledged.connect(self._on_message_strip_acknowledged)
        self._left.insertWidget(0, self.message_strip)
        self.toast = QLabel(self.map_view)
        self.toast.setObjectName("toast")
        self.toast.setTextFormat(Qt.TextFormat.PlainText)
        self.toast.setWordWrap(True)
        self.toast.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # A confirmation must never swallow the operator's next tap on the map under it.
        self.toast.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.toast.hide()
        self._toast_timer = QTimer(self)
        self._toast_timer.setSingleShot(True)
        self._toast_timer.timeout.connect(self.toast.hide)
        # Positions from the simulator must never pass for a real drive on screen.
        self.simulated_badge = QLabel(self.tr("SIMULATED GPS"), self.map_view)
        self.simulated_badge.setObjectName("simulated_badge")
        self.simulated_badge.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.simulated_badge.setStyleSheet(
            "background: #b45309; color: white; font-size: 20px; font-weight: bold;"
            " padding: 6px 12px; border-radius: 6px;"
        )
        self.simulated_badge.hide()
        self.exception_bar: ExceptionBar = ExceptionBar(self)
        self.exception_bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.exception_bar.exception_requested.connect(self._on_exception_bar_requested)
        self.exception_bar.note_requested.connect(self.open_note)
        self.progress_panel: ProgressPanel = ProgressPanel(self)
        self.status_panel: StatusPanel = StatusPanel(self)
        self.demo_button: QPushButton | None = None
        side = QVBoxLayout(self._side)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.progress_panel, 1)
        if self.demo:
            self.demo_button = self._make_demo_button()
            side.addWidget(self.demo_button)
        self._bottom_layout.addWidget(self.exception_bar)
        self._bottom_layout.addWidget(self.status_panel)
        self._bottom.setMinimumHeight(0)
        self._top.setMinimumHeight(0)

        self.motion.moving_changed.connect(self._on_motion_changed)
        self._clock.timeout.connect(self._on_clock_tick)
        self.map_view.set_labels(page_labels())
        self.apply_theme()
        # pyqtgraph loads after the route is on screen: the first paint never waits for it.
        if self.map_view.is_ready:
            self._build_charts_soon()
        self.map_view.ready.connect(self._build_charts_soon)
        self.map_view.load_failed.connect(self._build_charts_soon)
        QTimer.singleShot(CHARTS_AT_THE_LATEST_MS, self, self.progress_panel.build_charts)
        self._bridge: CoreBridge = CoreBridge(self)
        self._bridge.changed.connect(self._on_bridge_changed)

    def attach(self, tablet: TabletLike) -> None:
        """Show `tablet`'s state, follow its changes and enable the controls (once)."""
        if self._attached:
            raise RuntimeError("this window already shows a tablet")
        self._attached = True
        self._tablet = tablet
        self.build_panels()
        self.status_panel.clock = tablet.clock
        if self.demo_button is not None:
            self.demo_button.blockSignals(True)
            self.demo_button.setChecked(not tablet.network_enabled)
            self.demo_button.blockSignals(False)
        self._draw_everything()
        self._install_shortcuts()
        self._clock.start()
        self._bridge.attach(tablet)
        central = self.centralWidget()
        if central is not None:
            central.setEnabled(True)

    def _build_charts_soon(self) -> None:
        if not self.progress_panel.charts_built:
            QTimer.singleShot(CHARTS_AFTER_MAP_MS, self, self.progress_panel.build_charts)

    # -- construction helpers ----------------------------------------------------------------

    def _make_demo_button(self) -> QPushButton:
        button = QPushButton(self.tr("Demo: cut connection to server"), self)
        button.setObjectName("demo_cut_connection")
        button.setCheckable(True)
        button.setMinimumHeight(TOUCH_TARGET_PX)
        button.setStyleSheet(
            "QPushButton { border: 3px dashed #7a4d00; background: #fff4d6; color: #3d2a00;"
            " padding: 8px; font-size: 18px; }"
            "QPushButton:checked { background: #b3261e; color: white; border-style: solid; }"
        )
        button.toggled.connect(self._on_demo_button_toggled)
        return button

    def _install_shortcuts(self) -> None:
        from PySide6.QtCore import Qt

        from ui.exceptions_bar import KIND_SHORTCUTS, SIDE_SHORTCUTS

        def bind(key: str, slot: Any) -> None:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

        for kind, key in KIND_SHORTCUTS.items():
            bind(key, lambda k=kind: self.report_exception(k, self.exception_bar.side))
        for side, key in SIDE_SHORTCUTS.items():
            bind(key, lambda s=side: self.exception_bar.set_side(s))
        bind("F8", self._on_shift_button_clicked)
        bind("C", self.map_view.recentre)
        bind("T", self.toggle_theme)
        bind("N", self.open_note)
        bind("F", self.open_feedback)
        bind("Return", self.message_strip.acknowledge_current)
        bind("Ctrl+Shift+D", self.diagnostics_requested.emit)

    # -- drawing -------------------------------------------------------------------------------

    def _views(self, segment_ids: Any = None) -> dict[str, dict[str, Any]]:
        tablet = self._tablet
        if tablet.assignment is None:
            return {}
        from ui.segment_views import route_views

        return route_views(tablet.assignment.route, tablet.explain, segment_ids)

    def _draw_route(self) -> None:
        from coverage.model import Route
        from ui.shift import assignment_summary

        tablet = self._tablet
        if tablet.assignment is not None:
            route = tablet.assignment.route
        else:
            route = Route(id="", name="", segments=())
        self.map_view.show_route_views(route, self._views())
        self.assignment_label.setText(
            assignment_summary(
                tablet.assignment,
                self.tr("No assignment for today: ask your supervisor."),
                self.tr("Today: %1 · %2 · %3 · %4, %5 segments"),
            )
        )

    def _draw_progress(self) -> None:
        self.progress_panel.set_progress(self._tablet.progress(), self._tablet.sweeping_passes())

    def _draw_shift(self) -> None:
        active = self._tablet.shift_active
        self.shift_button.setText(self.tr("End shift") if active else self.tr("Start shift"))
        self.shift_button.setToolTip("F8")
        self.shift_button.setEnabled(self._tablet.assignment is not None)
        self.status_panel.set_shift_active(active)

    def _draw_sync(self, state: SyncState) -> None:
        self.status_panel.set_sync_state(state)
        self.login_button.setVisible(state.login_required)

    def request_login(self) -> None:
        """The login screen is typing: only when stopped (in-cab rule)."""
        if self.motion.is_moving:
            self.show_toast(self.tr("Stop the vehicle to log in"))
            return
        self.login_requested.emit()

    def logged_in_again(self) -> None:
        """The composition root's word that the new login took: say so."""
        self.show_toast(self.tr("Logged in: uploading resumes."))

    def _draw_messages(self) -> None:
        unread = [m for m in self._tablet.supervisor_messages() if not m.acknowledged]
        self.message_strip.set_messages(unread)

    def _draw_everything(self) -> None:
        tablet = self._tablet
        self._draw_route()
        self.map_view.set_trail(tablet.recent_trail())
        gps = tablet.gps_state()
        if gps.last_fix is not None:
            self.map_view.move_vehicle(gps.last_fix)
        self._draw_progress()
        self._draw_shift()
        self._draw_messages()
        self._draw_sync(tablet.sync_state())
        self._draw_gps(gps)
        self.motion.update(tablet.speed_kmh())

    def _on_bridge_changed(self, changes: Changes) -> None:
        tablet = self._tablet
        if changes.route:
            self._draw_route()
        elif changes.segments:
            self.map_view.set_views(self._views(changes.segments))
        if changes.route or changes.segments:
            self._draw_progress()
        if changes.vehicle is not None:
            self.map_view.move_vehicle(changes.vehicle)
            speed = tablet.speed_kmh()
            self.progress_panel.set_speed(changes.vehicle.t, speed)
            self.motion.update(speed)
        if changes.shift:
            self._draw_shift()
            if tablet.shift_active:
                fix = tablet.gps_state().last_fix
                start = fix.t if fix is not None else tablet.clock.now()
                self.progress_panel.start_shift(start, tablet.progress())
        if changes.sync or changes.outbox:
            self._draw_sync(tablet.sync_state())
        if changes.gps:
            self._draw_gps(tablet.gps_state())
        if changes.messages:
            self._draw_messages()

    def _draw_gps(self, gps: GpsState) -> None:
        self.status_panel.set_gps_state(gps)
        self.simulated_badge.setVisible(gps.simulated)
        if gps.simulated:
            self._place_badge()

    def _place_badge(self) -> None:
        self.simulated_badge.adjustSize()
        self.simulated_badge.move(12, self.map_view.height() - self.simulated_badge.height() - 28)
        self.simulated_badge.raise_()

    def show_storage_error(self, exc: StorageError) -> None:
        """A write the tablet could not make (a full disk): said in words, the window
        stays; what was saved before is kept."""
        log.error("not saved: %s", exc)
        self.show_toast(
            self.tr(
                "Not saved: %1. Everything saved before is kept; tell your supervisor."
            ).replace("%1", str(exc))
        )

    def show_toast(self, text: str) -> None:
        """A short confirmation over the map (plain text), gone after a few seconds."""
        self.toast.setText(text)
        self.toast.setStyleSheet(
            f"background: {self.theme.checked}; color: {self.theme.checked_text};"
            " font-size: 22px; font-weight: bold; padding: 12px; border-radius: 8px;"
        )
        self._place_toast()
        self.toast.show()
        self.toast.raise_()
        self._toast_timer.start(TOAST_MS)

    def _place_toast(self) -> None:
        width = min(640, max(self.map_view.width() - 40, 200))
        self.toast.setFixedWidth(width)
        self.toast.adjustSize()
        self.toast.move((self.map_view.width() - width) // 2, 16)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.panels_built and not self.toast.isHidden():
            self._place_toast()
        if self.panels_built and not self.simulated_badge.isHidden():
            self._place_badge()

    # -- themes ----------------------------------------------------------------------------

    def apply_theme(self) -> None:
        self.theme = theme_for(self.theme_mode)
        self.setStyleSheet(style_sheet(self.theme))
        self.map_view.set_theme(self.theme.name)
        self.status_panel.set_theme(self.theme)
        self.progress_panel.set_theme(self.theme)
        self.theme_button.setText(
            {
                ThemeMode.AUTO: self.tr("Screen:\nauto"),
                ThemeMode.DAY: self.tr("Screen:\nday"),
                ThemeMode.NIGHT: self.tr("Screen:\nnight"),
            }[self.theme_mode]
        )
        self.theme_button.setToolTip("T")

    def toggle_theme(self) -> None:
        """The operator's toggle: auto (by time of day) → day → night → auto."""
        self.theme_mode = next_mode(self.theme_mode)
        self.apply_theme()

    def set_theme_mode(self, mode: ThemeMode | str) -> None:
        self.theme_mode = ThemeMode(mode)
        self.apply_theme()

    def _on_clock_tick(self) -> None:
        if self.theme_mode is ThemeMode.AUTO and theme_for(ThemeMode.AUTO) != self.theme:
            self.apply_theme()
        self.status_panel.set_gps_state(self._tablet.gps_state())
        self.status_panel.refresh()
        self.motion.update(self._tablet.speed_kmh())

    # -- the shift -----------------------------------------------------------------------------

    @_reports_storage_errors
    def _on_shift_button_clicked(self) -> None:
        tablet = self._tablet
        if tablet.assignment is None:
            return
        if not tablet.shift_active:
            tablet.start_shift()
            self.show_toast(self.tr("Shift started: GPS recording is on."))
            return
        self.request_end_shift()

    @_reports_storage_errors
    def request_end_shift(self) -> None:
        """End the shift, after the end-of-shift check when anything is not swept."""
        tablet = self._tablet
        if self.motion.is_moving:
            self.show_toast(self.tr("Stop the vehicle to end the shift."))
            return
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

    @_reports_storage_errors
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

    # -- pilot feedback: forms ---------------------------------------------------------------

    def open_feedback(self) -> None:
        """The short feedback form, only when stopped (typing while driving is refused)."""
        if self.motion.is_moving:
            self.show_toast(self.tr("Stop the vehicle to give feedback"))
            return
        from ui.feedback import FEEDBACK_FORM

        if not self._open_form(FEEDBACK_FORM, self.tr("Feedback")):
            self.show_toast(
                self.tr("The feedback form is not on this tablet yet: it comes with the next sync.")
            )

    def open_end_of_shift_survey(self) -> None:
        """The pilot's end-of-shift survey, if the tablet has it (after the shift ended)."""
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
            self.show_toast(self.tr("The answer could not be saved: %1").replace("%1", str(exc)))
            return
        self.show_toast(self.tr("Thank you: your answer is saved."))

    # -- exceptions and notes --------------------------------------------------------------------

    def _on_exception_bar_requested(self, kind: str, side: str) -> None:
        from client.models import CurbSide, ExceptionKind

        self.report_exception(ExceptionKind(kind), CurbSide(side))

    @_reports_storage_errors
    def report_exception(self, kind: ExceptionKind, side: CurbSide) -> None:
        """One tap: an exception at the current segment and position, as one fact."""
        tablet = self._tablet
        if tablet.assignment is None:
            self.show_toast(self.tr("No assignment: nothing to report against."))
            return
        event_id = tablet.record_exception(kind.value, side.value)
        self._last_exception = (event_id, tablet.clock.now())
        segment_id = tablet.current_segment()
        street = ""
        if segment_id is not None:
            street = next(
                (s.street for s in tablet.assignment.route.segments if s.id == segment_id), ""
            )
        from ui.segment_views import reason_name, side_name

        what = reason_name(kind.value)
        text = (
            self.tr("Reported: %1, %2 curb, %3")
            .replace("%1", what)
            .replace("%2", side_name(side.value))
            .replace("%3", street or self.tr("off the route"))
        )
        self.show_toast(text)

    def open_note(self) -> None:
        """The note editor, only when stopped (typing while driving is refused)."""
        if self.motion.is_moving:
            self.show_toast(self.tr("Stop the vehicle to type a note."))
            return
        if self.note_dialog is not None:
            return
        about = ""
        if self._last_exception is not None:
            age = (self._tablet.clock.now() - self._last_exception[1]).total_seconds()
            if age <= NOTE_ABOUT_EXCEPTION_S:
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
            about = None
            if self._last_exception is not None:
                age = (self._tablet.clock.now() - self._last_exception[1]).total_seconds()
                if age <= NOTE_ABOUT_EXCEPTION_S:
                    about = self._last_exception[0]
            try:
                self._tablet.add_note(dialog.text, about=about)
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
        if moving and self.note_dialog is not None:
            self.note_dialog.close_for_motion()
        if moving and self.form_dialog is not None:
            self.form_dialog.close_for_motion()
        if moving and self.end_dialog is not None:
            self.end_dialog.reject()

    # -- messages ------------------------------------------------------------------------------

    @_reports_storage_errors
    def _on_message_strip_acknowledged(self, message_id: str) -> None:
        self._tablet.acknowledge_message(message_id)

    # -- demo and lifecycle --------------------------------------------------------------------

    def _on_demo_button_toggled(self, checked: bool) -> None:
        self._tablet.set_network_enabled(not checked)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.panels_built:
            self._bridge.detach()
        self._clock.stop()
        super().closeEvent(event)
        self.closed.emit()
