"""OperatorWindow: the in-cab screen, its panels and what the core says.

The frame (`ui.operator_frame`) places the panels and adapts them to the screen; the
flows (`ui.operator_flows`) are what the operator does, each typing flow behind one "only
when stopped" guard. This module makes the panels, routes each `Changes` from the core to
the panel it concerns, keeps the guidance ("Now" and "Next") current, feeds the motion
lock and offers keyboard shortcuts for a laptop.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QWidget

from ui.operator_flows import OperatorFlows
from ui.operator_frame import TOUCH_TARGET_PX
from ui.themes import ThemeMode

if TYPE_CHECKING:
    # The panels, the data model and Qt's enum namespace (tens of milliseconds each) load
    # with `build_panels`, after the map is on screen; here they are annotations only.
    from client.models import Changes, GpsState, SyncState
    from ui.core_bridge import CoreBridge
    from ui.tablet_protocol import TabletLike

log = logging.getLogger("sweepline.ui.operator")

CLOCK_TICK_MS = 5_000
# The charts are drawn this long after the map shows the route, so the route's first
# paint never waits for them, or after CHARTS_AT_THE_LATEST_MS when the map never gets
# ready.
CHARTS_AFTER_MAP_MS = 300
CHARTS_AT_THE_LATEST_MS = 4000


def _top_button(parent: QWidget, name: str, text: str, width_targets: int) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.setMinimumSize(TOUCH_TARGET_PX * width_targets, TOUCH_TARGET_PX)
    button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
    return button


class OperatorWindow(OperatorFlows):
    """The operator's whole screen; `demo=True` adds the network cut button."""

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
        self.demo = demo
        self._attached = False
        self._build_frame(theme_mode)
        self._init_flows()
        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_TICK_MS)
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
        from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

        from ui.core_bridge import CoreBridge
        from ui.cue import Cue
        from ui.exceptions_bar import ExceptionBar
        from ui.guidance_panel import GuidancePanel
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
        font.setPixelSize(20)
        font.setBold(True)
        self.assignment_label.setFont(font)
        self.shift_button = _top_button(self, "shift_button", "", 2)
        self.shift_button.clicked.connect(self._on_shift_button_clicked)
        self.theme_button = _top_button(self, "theme_button", "", 1)
        self.theme_button.clicked.connect(self.toggle_theme)
        self.feedback_button = _top_button(self, "feedback_button", self.tr("Feedback"), 1)
        self.feedback_button.setToolTip("F")
        self.feedback_button.clicked.connect(self.open_feedback)
        # Shown only while the server wants a new login (the queue waits meanwhile).
        self.login_button = _top_button(self, "login_again_button", self.tr("Log in again"), 2)
        self.login_button.clicked.connect(self.request_login)
        self.login_button.hide()
        self._top.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        top_layout = QHBoxLayout(self._top)
        top_layout.setContentsMargins(12, 4, 12, 4)
        top_layout.addWidget(self.assignment_label, 1)
        for button in (
            self.login_button,
            self.feedback_button,
            self.theme_button,
            self.shift_button,
        ):
            top_layout.addWidget(button)

        # -- middle: messages over the map, exceptions under it; guidance, progress beside --
        self.message_strip = MessageStrip(self)
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
        self.exception_bar = ExceptionBar(self)
        self.exception_bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.exception_bar.exception_requested.connect(self._on_exception_bar_requested)
        self.exception_bar.note_requested.connect(self.open_note)
        self.exception_bar.side_changed.connect(self._draw_guidance)
        self.guidance_panel = GuidancePanel(self)
        self.progress_panel = ProgressPanel(self)
        self.status_panel = StatusPanel(self)
        # Banners float over the bottom of the map: they never push the buttons.
        self.status_panel.float_banner_over(self.map_view)
        self.cue = Cue(self)
        self._unread = 0
        # Segments left to sweep with their curb sides, kept until a segment changes.
        self._to_sweep: dict[str, tuple[str, ...]] | None = None
        self.demo_button: QPushButton | None = None
        side = QVBoxLayout(self._side)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(0)
        side.addWidget(self.guidance_panel)
        side.addWidget(self.progress_panel, 1)
        if self.demo:  # in the top bar: the side panel's height is the figures'
            self.demo_button = self._make_demo_button()
            top_layout.insertWidget(1, self.demo_button)
        self._bottom_layout.addWidget(self.exception_bar)
        self._bottom_layout.addWidget(self.status_panel)
        self._bottom.setMinimumHeight(0)
        self._top.setMinimumHeight(0)

        self.motion.moving_changed.connect(self._on_motion_changed)
        self._clock.timeout.connect(self._on_clock_tick)
        self.map_view.set_labels(page_labels())
        compact, self.compact = self.compact, False
        self._set_compact(compact)
        self.apply_theme()
        # The charts draw once the route is on screen: the first paint never waits for them.
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

    def _make_demo_button(self) -> QPushButton:
        button = QPushButton(self.tr("Demo: cut the\nserver link"), self)
        button.setObjectName("demo_cut_connection")
        button.setCheckable(True)
        button.setMinimumHeight(TOUCH_TARGET_PX)
        button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        button.setStyleSheet(
            "QPushButton { border: 3px dashed #7a4d00; background: #fff4d6; color: #3d2a00;"
            " padding: 4px 8px; font-size: 16px; }"
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

    # -- drawing -------------------------------------------------------------------------

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
                self.tr("Today: %1 · %2 · %3 · %4 curb-km, %5 segments"),
                tablet.progress().total_m,
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

    def _draw_messages(self) -> None:
        unread = [m for m in self._tablet.supervisor_messages() if not m.acknowledged]
        if len(unread) > self._unread:
            self.cue.message()
        self._unread = len(unread)
        self.message_strip.set_messages(unread)

    def _draw_guidance(self) -> None:
        """ "Now" and "Next" from the last fix and what is left to sweep."""
        from ui.guidance import guidance_for, to_sweep_of

        tablet = self._tablet
        if self._to_sweep is None:
            self._to_sweep = to_sweep_of(tablet)
        street, on_route, nxt = guidance_for(tablet, self._to_sweep)
        self.guidance_panel.show_guidance(street, on_route, self.exception_bar.side.value, nxt)
        self.map_view.show_next(nxt)

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
        self._draw_guidance()
        self._feed_motion()

    def _feed_motion(self) -> None:
        """The motion lock's sample: the speed at the last fix's time, or unknown now."""
        tablet = self._tablet
        speed = tablet.speed_kmh()
        fix = tablet.gps_state().last_fix
        if speed is not None and fix is not None:
            self.motion.update(fix.t, speed)
        else:
            self.motion.update(tablet.clock.now() if fix is None else fix.t, None)

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
            self.progress_panel.set_speed(changes.vehicle.t, tablet.speed_kmh())
            self._feed_motion()
        if changes.route or changes.segments:
            self._to_sweep = None  # what is left to sweep changed
        if changes.route or changes.segments or changes.vehicle is not None:
            self._draw_guidance()
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

    def _on_clock_tick(self) -> None:
        from ui.themes import theme_for

        if self.theme_mode is ThemeMode.AUTO and theme_for(ThemeMode.AUTO) != self.theme:
            self.apply_theme()
        gps = self._tablet.gps_state()
        self.status_panel.set_gps_state(gps)
        self.status_panel.refresh()
        if self._tablet.speed_kmh() is None:  # the fix went stale: the speed is unknown
            self._feed_motion()

    def exception_reported(self, event_id: str) -> None:
        """Its pin on the map at the last fix; a tap on it says what and when."""
        from ui.formatting import clock

        fix = self._tablet.gps_state().last_fix
        if fix is None:
            return
        self.map_view.add_pin(
            fix.lat, fix.lon, f"{self.toast.text()} · {clock(self._tablet.clock.now())}"
        )

    # -- demo and lifecycle --------------------------------------------------------------

    def _on_demo_button_toggled(self, checked: bool) -> None:
        self._tablet.set_network_enabled(not checked)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.panels_built:
            self._bridge.detach()
        self._clock.stop()
        super().closeEvent(event)
        self.closed.emit()
