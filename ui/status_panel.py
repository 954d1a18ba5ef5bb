"""StatusPanel: the always-visible strip saying connection, upload queue, sync and GPS.

It is the glanceable answer to "is my work getting to the city?": every field is a short
phrase in plain words, large enough to read at arm's length, in the same place always.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from client.models import GpsQuality, GpsState, SyncState
from ui.formatting import clock

MIN_HEIGHT_PX = 64
FONT_PX = 22

GOOD = "#1f7a3d"
WARN = "#9a5b00"
BAD = "#b3261e"


class StatusPanel(QWidget):
    """Connection, waiting uploads, last sync, GPS quality and the last error."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StatusPanel")
        self.setMinimumHeight(MIN_HEIGHT_PX)
        self.connection_label = self._label("connection")
        self.pending_label = self._label("pending")
        self.last_sync_label = self._label("last_sync")
        self.gps_label = self._label("gps")
        self.error_label = self._label("error")
        self.error_label.setWordWrap(True)
        self.error_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        layout.setSpacing(28)
        for label in (
            self.connection_label,
            self.pending_label,
            self.last_sync_label,
            self.gps_label,
        ):
            layout.addWidget(label)
        layout.addWidget(self.error_label, 1)

        self.set_sync_state(SyncState(online=False, offline_since=None))
        self.set_gps_state(GpsState(quality=GpsQuality.NO_FIX))

    def _label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(f"status_{name}")
        font = QFont(label.font())
        font.setPixelSize(FONT_PX)
        label.setFont(font)
        label.setMinimumHeight(MIN_HEIGHT_PX)
        return label

    @staticmethod
    def _paint(label: QLabel, text: str, colour: str, bold: bool = False) -> None:
        label.setText(text)
        weight = "bold" if bold else "normal"
        label.setStyleSheet(f"color: {colour}; font-weight: {weight};")

    def set_sync_state(self, state: SyncState) -> None:
        """Show what `state` says about the connection and the upload queue."""
        if state.online:
            self._paint(self.connection_label, self.tr("● Online"), GOOD, bold=True)
        elif state.offline_since is not None:
            since = clock(state.offline_since)
            self._paint(
                self.connection_label,
                self.tr("● Offline since %1").replace("%1", since),
                BAD,
                bold=True,
            )
        else:
            self._paint(self.connection_label, self.tr("● Offline"), BAD, bold=True)

        pending = self.tr("Waiting to upload: %1").replace("%1", str(state.pending_total))
        if state.rejected:
            pending += self.tr(" (%1 rejected)").replace("%1", str(state.rejected))
        colour = GOOD if state.pending_total == 0 and not state.rejected else WARN
        self._paint(self.pending_label, pending, colour)

        last = clock(state.last_success) if state.last_success else self.tr("never")
        self._paint(self.last_sync_label, self.tr("Last sync: %1").replace("%1", last), "#222")

        if state.last_error:
            self._paint(self.error_label, state.last_error, BAD)
        else:
            self._paint(self.error_label, self.tr("No problems"), GOOD)

    def set_gps_state(self, state: GpsState) -> None:
        """Show the GPS quality; when the signal went stale, when the last fix was."""
        if state.quality is GpsQuality.FIX:
            self._paint(self.gps_label, self.tr("GPS: good"), GOOD)
        elif state.quality is GpsQuality.STALE and state.last_fix is not None:
            text = self.tr("GPS: lost since %1").replace("%1", clock(state.last_fix.t))
            self._paint(self.gps_label, text, WARN, bold=True)
        elif state.quality is GpsQuality.STALE:
            self._paint(self.gps_label, self.tr("GPS: lost"), WARN, bold=True)
        else:
            self._paint(self.gps_label, self.tr("GPS: no fix"), BAD, bold=True)
