"""The whole fleet on the supervisor's map: every vehicle of the day with its route,
coloured by data freshness (live / delayed / silent), last fix and queue depth on hover,
and a tap on a vehicle (or its route) to follow it.

The layer is `maps/fleet/fleet.js`, injected into the supervisor's own copy of the map
page with `runJavaScript` rather than built into the page: the operator screen's page,
its CSP hashes and stored renders stay untouched, and a page that reloads (a crashed
render process) simply gets the script again with the next update. A tap comes back as
a page-title change (`sweepline-follow:<n>:<device>`), the one page-to-application
signal that needs no change to the page's web channel.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from maps.fleet_script import fleet_js
from staff.fleet import FleetFeed, VehicleState
from staff.freshness import FRESHNESS_COLOURS, freshness
from ui.map_view import MapView
from ui.supervisor.common import age

FOLLOW_PREFIX = "sweepline-follow:"


def freshness_word(value: str) -> str:
    """The freshness in the screen's language."""
    return {
        "live": QCoreApplication.translate("FleetLayer", "live"),
        "delayed": QCoreApplication.translate("FleetLayer", "delayed"),
        "silent": QCoreApplication.translate("FleetLayer", "silent"),
    }[value]


def hover_lines(feed: FleetFeed, vehicle: VehicleState) -> list[str]:
    """What the hover shows: who and where, last fix (time and age), queue depth."""
    state = freshness(feed, vehicle.device_id)
    lines = [
        f"{vehicle.vehicle} — {vehicle.username}",
        QCoreApplication.translate("FleetLayer", "%1 · %2 % swept")
        .replace("%1", vehicle.route_name)
        .replace("%2", f"{vehicle.pct:.0f}"),
        QCoreApplication.translate("FleetLayer", "Data: %1").replace("%1", freshness_word(state)),
    ]
    fix = vehicle.last_fix
    if fix is None:
        lines.append(QCoreApplication.translate("FleetLayer", "No fix yet"))
    else:
        when = datetime.fromtimestamp(fix.t_ms / 1000, UTC).astimezone().strftime("%H:%M:%S")
        lines.append(
            QCoreApplication.translate("FleetLayer", "Last fix %1 (%2 ago)")
            .replace("%1", when)
            .replace("%2", age(feed.age_s(fix.t_ms / 1000)))
        )
    waiting = vehicle.waiting
    if waiting is None:
        lines.append(QCoreApplication.translate("FleetLayer", "Queue: not reported"))
    else:
        lines.append(
            QCoreApplication.translate("FleetLayer", "Queue: %1 waiting (%2 events, %3 fixes)")
            .replace("%1", str(waiting.total))
            .replace("%2", str(waiting.events))
            .replace("%3", str(waiting.gps))
        )
    return lines


class FleetLayer(QObject):
    """Keeps the page's fleet layer equal to the feed; `follow_requested(device)` on a tap."""

    follow_requested = Signal(str)
    # The page's answer to each update: how many vehicles it now draws (for tests).
    updated = Signal(int)

    def __init__(self, map_view: MapView, feed: FleetFeed, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.map_view = map_view
        self.feed = feed
        # Route id -> its segments' coordinates ([lon, lat] lists), from the progress export.
        self.route_lines: dict[str, list[list[list[float]]]] = {}
        self.updates = 0
        # Vehicles the page drew at its last answer.
        self.drawn = 0
        self._fitted = False
        map_view.page().titleChanged.connect(self._on_title_changed)

    def payload(self) -> list[dict[str, Any]]:
        """Every vehicle as the page draws it."""
        out = []
        for vehicle in sorted(self.feed.vehicles.values(), key=lambda v: v.vehicle):
            state = freshness(self.feed, vehicle.device_id)
            fix = vehicle.last_fix
            out.append(
                {
                    "id": vehicle.device_id,
                    "lat": fix.lat if fix is not None else None,
                    "lon": fix.lon if fix is not None else None,
                    "freshness": state,
                    "colour": FRESHNESS_COLOURS[state],
                    "lines": hover_lines(self.feed, vehicle),
                    "route_id": vehicle.route_id,
                    "route": self.route_lines.get(vehicle.route_id, []),
                }
            )
        return out

    def refresh(self) -> None:
        """Send the fleet as it is now to the page (nothing until the page is ready).

        The first update that has vehicles with routes also frames them all."""
        self._send(fit=not self._fitted)

    def fit(self) -> None:
        """Frame the whole fleet (the "Whole fleet" button)."""
        self._send(fit=True)

    def _send(self, *, fit: bool) -> None:
        if not self.map_view.is_ready:
            return
        data = json.dumps(self.payload(), allow_nan=False)
        script = (
            "(function () { if (!window.sweeplineFleet) {\n"
            + fleet_js()
            + "\n} var n = window.sweeplineFleet.update("
            + data
            + "); var fitted = "
            + ("window.sweeplineFleet.fitAll()" if fit else "false")
            + "; return JSON.stringify({count: n, fitted: fitted}); })()"
        )
        self.updates += 1
        self.map_view.page().runJavaScript(script, 0, self._on_updated)

    def _on_updated(self, answer: object) -> None:
        if not isinstance(answer, str):
            return
        result = json.loads(answer)
        self._fitted = self._fitted or bool(result.get("fitted"))
        self.drawn = int(result.get("count") or 0)
        self.updated.emit(self.drawn)

    def _on_title_changed(self, title: str) -> None:
        if not title.startswith(FOLLOW_PREFIX):
            return
        _, _, device_id = title[len(FOLLOW_PREFIX) :].partition(":")
        if device_id in self.feed.vehicles:
            self.follow_requested.emit(device_id)
