"""OperatorFrame: where each panel of the operator's screen goes, and how it adapts.

Top: today's assignment and the shift button; in the middle the map (with messages over
it) and the side panel (guidance, progress); below the map the one-tap exception bar and,
always in the same place, the status strip. Sizes follow the window, from a 1024x600
tablet to a 1920x1200 one: the side panel takes a share of the width, the charts go when
the height leaves them no room. Things that come and go (toasts, banners, the simulated
GPS badge) float over the map and never move a button.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client.errors import StorageError
from ui.motion import MotionGate
from ui.route_map import RouteMap
from ui.themes import Theme, ThemeMode, next_mode, style_sheet, theme_for

if TYPE_CHECKING:
    from ui.cue import Cue
    from ui.exceptions_bar import ExceptionBar
    from ui.guidance_panel import GuidancePanel
    from ui.messages_strip import MessageStrip
    from ui.progress_panel import ProgressPanel
    from ui.status_panel import StatusPanel
    from ui.tablet_protocol import TabletLike

log = logging.getLogger("sweepline.ui.operator")

TOUCH_TARGET_PX = 64
# The side panel's share of the window's width, and its bounds.
SIDE_PANEL_SHARE = 0.3
SIDE_PANEL_MIN_PX = 300
SIDE_PANEL_MAX_PX = 520
# The top bar, and the exception bar with the status strip, at the default font: the
# map keeps its size when they arrive after it at start-up.
TOP_BAR_PX = 76
BOTTOM_PANELS_PX = 140
TOAST_MS = 6000
# Below either size the type gets smaller (a 1024x600 tablet): every word stays whole.
COMPACT_BELOW = (1200, 720)
MINIMUM_WINDOW = (600, 480)
COMPACT_STYLE = """
QWidget#ExceptionBar QPushButton, QWidget#TopBar QPushButton {
    font-size: 17px; padding: 2px 6px;
}
"""


def side_panel_width(window_width: int) -> int:
    """The side panel's width for a window `window_width` wide."""
    share = round(window_width * SIDE_PANEL_SHARE)
    return max(SIDE_PANEL_MIN_PX, min(SIDE_PANEL_MAX_PX, share))


class OperatorFrame(QMainWindow):
    """The frame: places, theme, toasts; the panels are made by `OperatorWindow`."""

    closed = Signal()
    # IT's "Export diagnostics" (Ctrl+Shift+D): the composition root knows where logs
    # and config live, so the window only asks.
    diagnostics_requested = Signal()
    # "Log in again" tapped while stopped: the composition root owns the session.
    login_requested = Signal()

    _tablet: TabletLike
    panels_built: bool = False
    assignment_label: QLabel
    shift_button: QPushButton
    theme_button: QPushButton
    feedback_button: QPushButton
    login_button: QPushButton
    toast: QLabel
    simulated_badge: QLabel
    message_strip: MessageStrip
    exception_bar: ExceptionBar
    guidance_panel: GuidancePanel
    progress_panel: ProgressPanel
    status_panel: StatusPanel
    cue: Cue

    def _build_frame(self, theme_mode: ThemeMode | str) -> None:
        """The places of the panels around the map (the map first: it loads longest)."""
        self.setWindowTitle(self.tr("Sweepline"))
        self.theme_mode = ThemeMode(theme_mode)
        self.theme: Theme = theme_for(self.theme_mode)
        self.compact = False
        # An explicit minimum: the layout's own (at full-size type) would refuse a
        # 1024x600 screen before the resize that makes the type smaller.
        self.setMinimumSize(*MINIMUM_WINDOW)
        self.motion = MotionGate(self)
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
        self._side.setFixedWidth(side_panel_width(self.width()))
        middle = QHBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.setSpacing(0)
        middle.addLayout(self._left, 1)
        middle.addWidget(self._side)
        self._frame = QVBoxLayout()
        self._frame.setContentsMargins(0, 0, 0, 0)
        self._frame.setSpacing(0)
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
        self._toast_timer = QTimer(self)
        self._toast_timer.setSingleShot(True)

    # -- toasts and the badge: over the map, never in the layout -----------------------------

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

    def _place_badge(self) -> None:
        self.simulated_badge.adjustSize()
        self.simulated_badge.move(12, self.map_view.height() - self.simulated_badge.height() - 28)
        self.simulated_badge.raise_()

    def resizeEvent(self, event: QResizeEvent) -> None:
        size = event.size()
        self._side.setFixedWidth(side_panel_width(size.width()))
        self._set_compact(size.width() < COMPACT_BELOW[0] or size.height() < COMPACT_BELOW[1])
        super().resizeEvent(event)
        if self.panels_built and not self.toast.isHidden():
            self._place_toast()
        if self.panels_built and not self.simulated_badge.isHidden():
            self._place_badge()

    def _set_compact(self, compact: bool) -> None:
        if compact == self.compact or not self.panels_built:
            self.compact = compact
            return
        self.compact = compact
        self.status_panel.set_compact(compact)
        self.progress_panel.set_compact(compact)
        self.guidance_panel.set_compact(compact)
        self.apply_theme()

    # -- themes ----------------------------------------------------------------------------

    def apply_theme(self) -> None:
        self.theme = theme_for(self.theme_mode)
        self.setStyleSheet(style_sheet(self.theme) + (COMPACT_STYLE if self.compact else ""))
        self.map_view.set_theme(self.theme.name)
        self.status_panel.set_theme(self.theme)
        self.progress_panel.set_theme(self.theme)
        self.guidance_panel.set_theme(self.theme)
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
