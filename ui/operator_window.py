"""OperatorWindow: the in-cab screen, a frame around the map, progress and status panels.

The window holds no logic of its own beyond routing: each `Changes` from the core is
sent to the panel that shows it, so a GPS fix moves the marker without touching the
route, and a sync result updates the status strip without touching the map.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client.models import Changes, Route
from ui.core_bridge import CoreBridge
from ui.map_view import MapView
from ui.progress_panel import ProgressPanel
from ui.status_panel import StatusPanel
from ui.tablet_protocol import TabletLike

SIDE_PANEL_WIDTH_PX = 380
TOUCH_TARGET_PX = 64
NO_ROUTE = Route(id="", name="", segments=())


class OperatorWindow(QMainWindow):
    """Map + progress + always-visible status, and (in demo mode) a network cut button."""

    closed = Signal()

    def __init__(
        self, tablet: TabletLike, *, demo: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._tablet = tablet
        self.setWindowTitle(self.tr("Sweepline"))

        self.map_view = MapView(self)
        self.progress_panel = ProgressPanel(self)
        self.status_panel = StatusPanel(self)
        self.demo_button: QPushButton | None = None

        side = QVBoxLayout()
        side.addWidget(self.progress_panel)
        side.addStretch(1)
        if demo:
            self.demo_button = self._make_demo_button()
            side.addWidget(self.demo_button)
        side_widget = QWidget(self)
        side_widget.setLayout(side)
        side_widget.setFixedWidth(SIDE_PANEL_WIDTH_PX)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.map_view, 1)
        top.addWidget(side_widget)
        frame = QVBoxLayout()
        frame.setContentsMargins(0, 0, 0, 0)
        frame.setSpacing(0)
        frame.addLayout(top, 1)
        frame.addWidget(self.status_panel)
        central = QWidget(self)
        central.setLayout(frame)
        self.setCentralWidget(central)

        self._draw_everything()
        self._bridge = CoreBridge(self)
        self._bridge.changed.connect(self._on_bridge_changed)
        self._bridge.attach(tablet)

    def _make_demo_button(self) -> QPushButton:
        button = QPushButton(self.tr("Demo: cut connection to server"), self)
        button.setObjectName("demo_cut_connection")
        button.setCheckable(True)
        button.setChecked(not self._tablet.network_enabled)
        button.setMinimumHeight(TOUCH_TARGET_PX)
        font = QFont(button.font())
        font.setPixelSize(18)
        button.setFont(font)
        button.setStyleSheet(
            "QPushButton { border: 3px dashed #7a4d00; background: #fff4d6; padding: 8px; }"
            "QPushButton:checked { background: #b3261e; color: white; border-style: solid; }"
        )
        button.toggled.connect(self._on_demo_button_toggled)
        return button

    def _draw_everything(self) -> None:
        tablet = self._tablet
        if tablet.assignment is not None:
            self.map_view.show_route(tablet.assignment.route, tablet.statuses())
        self.map_view.set_trail(tablet.recent_trail())
        gps = tablet.gps_state()
        if gps.last_fix is not None:
            self.map_view.move_vehicle(gps.last_fix)
        self.progress_panel.set_progress(tablet.progress())
        self.status_panel.set_sync_state(tablet.sync_state())
        self.status_panel.set_gps_state(gps)

    def _on_bridge_changed(self, changes: Changes) -> None:
        tablet = self._tablet
        if changes.route:
            route = tablet.assignment.route if tablet.assignment is not None else NO_ROUTE
            self.map_view.show_route(route, tablet.statuses())
        elif changes.segments:
            statuses = tablet.statuses()
            self.map_view.set_statuses(
                {sid: statuses[sid] for sid in changes.segments if sid in statuses}
            )
        if changes.route or changes.segments:
            self.progress_panel.set_progress(tablet.progress())
        if changes.vehicle is not None:
            self.map_view.move_vehicle(changes.vehicle)
        if changes.sync or changes.outbox:
            self.status_panel.set_sync_state(tablet.sync_state())
        if changes.gps:
            self.status_panel.set_gps_state(tablet.gps_state())

    def _on_demo_button_toggled(self, checked: bool) -> None:
        self._tablet.set_network_enabled(not checked)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._bridge.detach()
        super().closeEvent(event)
        self.closed.emit()
