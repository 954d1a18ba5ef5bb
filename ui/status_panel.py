"""StatusPanel: the always-visible strip saying connection, upload queue, sync and GPS,
with plain-words banners above it when something needs the operator's attention.

It is the glanceable answer to "is my work getting to the city?": every field is a short
phrase in plain words, large enough to read at arm's length, in the same place always.
Banners (no GPS, storage full, offline for a long time, facts refused, log in again,
update needed) appear in the same place too, most serious first.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from client.clock import SYSTEM_CLOCK, Clock
from client.models import GpsQuality, GpsState, SyncState
from ui.formatting import clock
from ui.themes import DAY, Theme

MIN_HEIGHT_PX = 64
FONT_PX = 22
COMPACT_FONT_PX = 17
OFFLINE_LONG = timedelta(minutes=30)
# Beyond this the tablet's clock is worth a word: times shown and recorded would mislead.
CLOCK_SKEW_SHOWN_S = 120.0
MAX_BANNERS = 2


class StatusPanel(QWidget):
    """Connection, waiting uploads, last sync, GPS quality, the last error and banners."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StatusPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setMinimumHeight(MIN_HEIGHT_PX)
        self._theme = DAY
        self._sync = SyncState(online=False, offline_since=None)
        self._gps = GpsState(quality=GpsQuality.NO_FIX)
        self._shift_active = False
        # The tablet's clock, which also stamped `offline_since`.
        self.clock: Clock = SYSTEM_CLOCK
        self.banner_label = QLabel(self)
        self.banner_label.setObjectName("banner")
        self.banner_label.setWordWrap(True)
        self.banner_label.setTextFormat(Qt.TextFormat.PlainText)
        self.banner_label.hide()
        self._banner_host: QWidget | None = None
        self.connection_label = self._label("connection")
        self.pending_label = self._label("pending")
        self.last_sync_label = self._label("last_sync")
        self.gps_label = self._label("gps")
        self.error_label = self._label("error")
        self.error_label.setWordWrap(True)
        self.error_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        strip = self._strip = QHBoxLayout()
        strip.setContentsMargins(12, 0, 12, 0)
        strip.setSpacing(24)
        for label in (
            self.connection_label,
            self.pending_label,
            self.last_sync_label,
            self.gps_label,
        ):
            strip.addWidget(label)
        strip.addWidget(self.error_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner_label)
        layout.addLayout(strip)
        self._redraw()

    def _label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(f"status_{name}")
        label.setTextFormat(Qt.TextFormat.PlainText)
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

    # -- inputs ----------------------------------------------------------------------------

    def set_sync_state(self, state: SyncState) -> None:
        """Show what `state` says about the connection and the upload queue."""
        self._sync = state
        self._redraw()

    def set_gps_state(self, state: GpsState) -> None:
        """Show the GPS quality; when the signal went stale, when the last fix was."""
        self._gps = state
        self._redraw()

    def set_shift_active(self, active: bool) -> None:
        """GPS problems are banners only during a shift (nothing is recorded outside one)."""
        self._shift_active = active
        self._redraw()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._redraw()

    def refresh(self) -> None:
        """Re-evaluate time-dependent wording (offline for a long time)."""
        self._redraw()

    # -- drawing ---------------------------------------------------------------------------

    def _redraw(self) -> None:
        self._draw_sync()
        self._draw_gps()
        self._draw_banners()

    def _draw_sync(self) -> None:
        t, state = self._theme, self._sync
        if state.storage_error:
            # Online means nothing while nothing can be saved: never green then.
            self._paint(self.connection_label, self.tr("● Not saving"), t.bad, bold=True)
        elif state.online:
            self._paint(self.connection_label, self.tr("● Online"), t.good, bold=True)
        elif state.offline_since is not None:
            since = clock(state.offline_since)
            self._paint(
                self.connection_label,
                self.tr("● Offline since %1").replace("%1", since),
                t.bad,
                bold=True,
            )
        else:
            self._paint(self.connection_label, self.tr("● Offline"), t.bad, bold=True)

        pending = self.tr("Waiting to upload: %1").replace("%1", str(state.pending_total))
        if state.rejected:
            pending += self.tr(" (%1 rejected)").replace("%1", str(state.rejected))
        colour = t.good if state.pending_total == 0 and not state.rejected else t.warn
        self._paint(self.pending_label, pending, colour)

        last = clock(state.last_success) if state.last_success else self.tr("never")
        self._paint(self.last_sync_label, self.tr("Last sync: %1").replace("%1", last), t.text)

        problem = state.last_error or state.storage_notice
        if problem:
            self._paint(self.error_label, problem, t.bad)
            self.error_label.setToolTip(problem)
        elif self._gps.quality is not GpsQuality.FIX:
            # Never "No problems" while nothing says where the vehicle is.
            problem = self.tr("No position: sweeping is not being counted")
            self._paint(self.error_label, problem, t.bad)
            self.error_label.setToolTip(problem)
        else:
            self._paint(self.error_label, self.tr("No problems"), t.good)

    def _draw_gps(self) -> None:
        t, state = self._theme, self._gps
        if state.simulated:
            head = self.tr("SIMULATED GPS")
        else:
            head = self.tr("GPS (%1)").replace("%1", state.source) if state.source else "GPS"
        fix = state.last_fix
        if state.quality is GpsQuality.FIX and fix is not None:
            parts = [self.tr("good")]
            if fix.accuracy_m is not None:
                parts.append(f"±{fix.accuracy_m:.0f} m")
            if state.satellites:
                parts.append(self.tr("%1 sat.").replace("%1", str(state.satellites)))
            colour = t.warn if state.simulated else t.good
            self._paint(self.gps_label, f"{head}: {' · '.join(parts)}", colour, state.simulated)
        elif state.quality is GpsQuality.STALE and fix is not None:
            text = self.tr("%1: lost since %2").replace("%1", head).replace("%2", clock(fix.t))
            self._paint(self.gps_label, text, t.warn, bold=True)
        else:
            why = f" ({state.detail})" if state.detail else ""
            text = self.tr("%1: no fix").replace("%1", head) + why
            self._paint(self.gps_label, text, t.bad, bold=True)
        self.gps_label.setToolTip(state.detail)

    def banners(self) -> list[str]:
        """The banners that apply now, most serious first."""
        state, out = self._sync, []
        if state.storage_error:
            out.append(
                self.tr("The tablet cannot save: %1. Stop and tell your supervisor.").replace(
                    "%1", state.storage_error
                )
            )
        if state.storage_notice:
            out.append(state.storage_notice)
        if state.update_required:
            out.append(self.tr("This app needs an update before it can upload. Nothing is lost."))
        if state.login_required:
            out.append(self.tr("Log in again so your work can upload. Nothing is lost."))
        if state.rejected:
            out.append(
                self.tr(
                    "The server refused %1 record(s). They are kept on the tablet; "
                    "tell your supervisor."
                ).replace("%1", str(state.rejected))
            )
        if state.conflicts:
            out.append(
                self.tr(
                    "%1 record(s) clash with what the server already has. They are kept on "
                    "the tablet; call support."
                ).replace("%1", str(state.conflicts))
            )
        if state.stale_facts:
            out.append(
                self.tr(
                    "%1 record(s) were made for a route that has since been reassigned. They "
                    "were kept and your supervisor can see them."
                ).replace("%1", str(state.stale_facts))
            )
        skew = state.clock_skew_s
        if skew is not None and abs(skew) >= CLOCK_SKEW_SHOWN_S:
            out.append(
                self.tr(
                    "This tablet's clock is %1 min off the server's. Your work is still "
                    "recorded in order; ask IT to set the clock."
                ).replace("%1", str(round(abs(skew) / 60)))
            )
        if self._shift_active and self._gps.quality is not GpsQuality.FIX:
            out.append(self.tr("No GPS: sweeping is not being counted. Check the GPS antenna."))
        since = state.offline_since
        if not state.online and since is not None:
            aware = since if since.tzinfo is not None else since.replace(tzinfo=UTC)
            if self.clock.now() - aware >= OFFLINE_LONG:
                out.append(
                    self.tr(
                        "No connection since %1. Your work is safe on the tablet and "
                        "uploads when the signal returns."
                    ).replace("%1", clock(since))
                )
        return out

    def set_compact(self, compact: bool) -> None:
        """Smaller type for a small screen: the strip's fields stay whole."""
        pixels = COMPACT_FONT_PX if compact else FONT_PX
        for label in (
            self.connection_label,
            self.pending_label,
            self.last_sync_label,
            self.gps_label,
            self.error_label,
        ):
            font = QFont(label.font())
            font.setPixelSize(pixels)
            label.setFont(font)
        self._strip.setSpacing(12 if compact else 24)

    def float_banner_over(self, host: QWidget) -> None:
        """Show the banners floating over the bottom of `host` (the map) instead of above
        the strip: a banner arriving then never moves a button under the operator's finger."""
        layout = self.layout()
        if layout is not None:
            layout.removeWidget(self.banner_label)
        self.banner_label.setParent(host)
        self._banner_host = host
        host.installEventFilter(self)
        self._draw_banners()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._banner_host and event.type() == QEvent.Type.Resize:
            self._place_banner()
        return False

    def _place_banner(self) -> None:
        host = self._banner_host
        if host is None or self.banner_label.isHidden():
            return
        width = max(200, host.width() - 24)
        self.banner_label.setFixedWidth(width)
        self.banner_label.setFixedHeight(self.banner_label.heightForWidth(width))
        self.banner_label.move(12, host.height() - self.banner_label.height() - 12)
        self.banner_label.raise_()

    def _draw_banners(self) -> None:
        shown = self.banners()[:MAX_BANNERS]
        if not shown:
            self.banner_label.hide()
            self.banner_label.clear()
            return
        self.banner_label.setText("\n".join(f"⚠ {line}" for line in shown))
        self.banner_label.show()
        self._place_banner()

    def banner_text(self) -> str | None:
        return None if self.banner_label.isHidden() else self.banner_label.text()
