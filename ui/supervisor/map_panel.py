"""The supervisor's map: the whole fleet (`FleetLayer`) over one detailed route — the
followed vehicle's, or the route or feedback item selected in a tab — with the followed
vehicle's position as the page's vehicle marker.

Split out of the window so the window stays the controller of its tabs and this module
owns what the map shows: the routes' geometry and swept segments (from the progress
export, kept up to date by the stream's `progress` events) and who is followed.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from coverage.model import Fix, Route, Segment, SegmentState, SegmentStatus
from staff.fleet import FleetFeed, VehicleFix
from staff.freshness import FRESHNESS_COLOURS
from staff.replay import Frame
from ui.map_view import MapView
from ui.route_map import RouteMap
from ui.segment_views import page_labels
from ui.supervisor.common import plain_label
from ui.supervisor.fleet_layer import FleetLayer, freshness_word


def routes_from_export(collection: dict[str, Any]) -> dict[str, tuple[Route, set[str]]]:
    """Route geometry and swept segment ids from the progress GeoJSON export."""
    segments: dict[str, list[Segment]] = {}
    swept: dict[str, set[str]] = {}
    for feature in collection.get("features") or []:
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        coords = geometry.get("coordinates") or []
        if geometry.get("type") != "LineString" or len(coords) < 2:
            continue
        route_id = str(props.get("route_id"))
        segment = Segment(
            id=str(props.get("segment_id")),
            street=str(props.get("street") or ""),
            length_m=float(props.get("length_m") or 0.0),
            lanes=1,
            oneway=False,
            coords=tuple((float(c[0]), float(c[1])) for c in coords),
        )
        segments.setdefault(route_id, []).append(segment)
        if props.get("swept"):
            swept.setdefault(route_id, set()).add(segment.id)
    return {
        rid: (Route(rid, rid, tuple(segs)), swept.get(rid, set())) for rid, segs in segments.items()
    }


def statuses(route: Route, swept: set[str]) -> dict[str, SegmentStatus]:
    return {
        s.id: SegmentStatus(
            s.id, SegmentState.SWEPT if s.id in swept else SegmentState.NOT_STARTED, 0.0
        )
        for s in route.segments
    }


def fix_of(fix: VehicleFix) -> Fix:
    return Fix(
        t=datetime.fromtimestamp(fix.t_ms / 1000, UTC),
        lat=fix.lat,
        lon=fix.lon,
        speed_mps=fix.speed_mps,
        heading_deg=fix.heading_deg,
        accuracy_m=fix.acc_m,
    )


def freshness_legend() -> QLabel:
    """What the fleet's colours mean (our own fixed words, so rich text is safe here)."""
    parts = [
        f'<span style="color:{FRESHNESS_COLOURS[key]}">●</span> {html.escape(freshness_word(key))}'
        for key in ("live", "delayed", "silent")
    ]
    label = QLabel("&nbsp;&nbsp;".join(parts))
    label.setObjectName("freshnessLegend")
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setToolTip(
        QCoreApplication.translate(
            "SupervisorMap",
            "Live: heard from within the last minute. Delayed: not heard for a while. "
            "Silent: nothing for 10 minutes or more.",
        )
    )
    return label


class SupervisorMap(QWidget):
    """Title line over the map; `follow_requested(device)` when a vehicle is tapped."""

    follow_requested = Signal(str)

    def __init__(
        self, feed: FleetFeed, map_view: MapView | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.feed = feed
        if map_view is None:
            # The page's own words (legend, segment panel) in the screen's language.
            route_map = RouteMap()
            route_map.set_labels(page_labels())
            map_view = route_map
        self.map_view = map_view
        self.title = plain_label(
            QCoreApplication.translate(
                "SupervisorMap", "The whole fleet: tap a vehicle to follow it."
            ),
            name="mapTitle",
        )
        self.whole_fleet = QPushButton(QCoreApplication.translate("SupervisorMap", "Whole fleet"))
        self.whole_fleet.setObjectName("wholeFleet")
        self.whole_fleet.clicked.connect(self.show_whole_fleet)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(freshness_legend())
        header.addWidget(self.whole_fleet)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.map_view, 1)
        self.fleet_layer = FleetLayer(self.map_view, feed, self)
        self.fleet_layer.follow_requested.connect(self.follow_requested.emit)
        self.map_view.ready.connect(self.fleet_layer.refresh)
        self.routes: dict[str, tuple[Route, set[str]]] = {}
        self.route_names: dict[str, str] = {}
        self.shown_route: str | None = None
        self.followed: str | None = None

    def set_routes(self, routes: dict[str, tuple[Route, set[str]]]) -> None:
        """New geometry and swept sets; redraws what is shown."""
        self.routes = routes
        self.fleet_layer.route_lines = {
            rid: [[list(c) for c in s.coords] for s in route.segments]
            for rid, (route, _) in routes.items()
        }
        if self.followed is not None:
            self.show_vehicle(self.followed)
        elif self.shown_route is not None:
            self.show_route(self.shown_route, force=True)
        self.fleet_layer.refresh()

    def show_whole_fleet(self) -> None:
        """Stop following; frame every vehicle's route."""
        self.followed = None
        self.title.setText(
            QCoreApplication.translate(
                "SupervisorMap", "The whole fleet: tap a vehicle to follow it."
            )
        )
        self.fleet_layer.fit()

    def show_route(self, route_id: str, *, force: bool = False) -> bool:
        if route_id not in self.routes:
            return False
        if route_id != self.shown_route or force:
            route, swept = self.routes[route_id]
            self.map_view.show_route(route, statuses(route, swept))
            self.map_view.set_trail([])
            self.shown_route = route_id
        return True

    def select_route(self, route_id: str) -> None:
        """A route picked in a tab: shown in detail, no vehicle followed."""
        if self.show_route(route_id):
            self.followed = None
            name = self.route_names.get(route_id, route_id)
            self.title.setText(
                QCoreApplication.translate("SupervisorMap", "Route %1").replace("%1", name)
            )

    def show_vehicle(self, device_id: str) -> None:
        """Follow one vehicle: its route in detail, the map centred on its position."""
        vehicle = self.feed.vehicles.get(device_id)
        if vehicle is None:
            return
        self.followed = device_id
        self.show_route(vehicle.route_id)
        fix = vehicle.last_fix
        where = QCoreApplication.translate("SupervisorMap", "no position yet")
        if fix is not None:
            self.map_view.move_vehicle(fix_of(fix))
            where = (
                QCoreApplication.translate("SupervisorMap", "at %1, %2")
                .replace("%1", f"{fix.lat:.5f}")
                .replace("%2", f"{fix.lon:.5f}")
            )
        self.title.setText(
            QCoreApplication.translate("SupervisorMap", "%1 (%2) on %3: %4")
            .replace("%1", vehicle.vehicle)
            .replace("%2", vehicle.username)
            .replace("%3", vehicle.route_name)
            .replace("%4", where)
        )

    def mark_swept(self, route_id: str, segment_id: str) -> None:
        """A `progress` event: the segment is swept (recoloured at once if shown)."""
        if route_id in self.routes:
            self.routes[route_id][1].add(segment_id)
        if route_id == self.shown_route:
            self.map_view.set_statuses(
                {segment_id: SegmentStatus(segment_id, SegmentState.SWEPT, 1.0)}
            )

    def show_frame(self, frame: Frame, route_id: str | None) -> None:
        """A replay frame: the route as swept at that moment, the vehicle where it was."""
        self.followed = None
        if route_id is not None and self.show_route(route_id):
            route = self.routes[route_id][0]
            swept = {s for r, s in frame.swept if r == route_id}
            self.map_view.set_statuses(statuses(route, swept))
        fixes = [
            Fix(t=datetime.fromtimestamp(p.t, UTC), lat=p.lat, lon=p.lon, speed_mps=p.speed_mps)
            for p in frame.trail
        ]
        # The trail is the recording's own (scrubbing back redraws it), then the vehicle.
        self.map_view.set_trail(fixes[:-1])
        if fixes:
            self.map_view.move_vehicle(fixes[-1])
        self.title.setText(
            QCoreApplication.translate("SupervisorMap", "Replay: %1").replace(
                "%1", self.route_names.get(route_id or "", route_id or "")
            )
        )

    def show_place(self, item: dict[str, Any], moment: float) -> None:
        """Where a feedback item was given (its route in detail, the marker on the spot)."""
        route_id = item.get("route_id")
        if isinstance(route_id, str):
            self.show_route(route_id)
        self.followed = None
        lat, lon = item.get("lat"), item.get("lon")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            self.map_view.set_trail([])
            when = datetime.fromtimestamp(moment, UTC)
            self.map_view.move_vehicle(Fix(t=when, lat=float(lat), lon=float(lon)))
            self.title.setText(
                QCoreApplication.translate("SupervisorMap", "Where %1 gave this feedback: %2, %3")
                .replace("%1", str(item.get("username")))
                .replace("%2", f"{lat:.5f}")
                .replace("%3", f"{lon:.5f}")
            )
        else:
            self.title.setText(
                QCoreApplication.translate(
                    "SupervisorMap", "This feedback has no recorded position."
                )
            )
