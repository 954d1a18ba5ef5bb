"""RouteMap: the MapView with the operator screen's extras — curb-side states with the
tap panel's words, translated page labels, follow mode and re-centre.

Everything still reaches the page as JSON arguments to fixed `window.sweepline`
functions; what was last sent is remembered and replayed after a reload.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal

from maps.payloads import route_payload
from ui.map_view import MapView

if TYPE_CHECKING:
    from coverage.guidance import NextSegment
    from coverage.model import Route


class RouteMap(MapView):
    """The operator's map: segments as `{state, info}` views rather than bare states."""

    # The route, a segment's view or the labels changed: `snapshot` would say otherwise.
    shown_changed = Signal()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._labels: dict[str, str] = {}
        self._next: dict[str, Any] | None = None
        self._pins: list[dict[str, Any]] = []
        super().__init__(*args, **kwargs)

    def show_next(self, nxt: NextSegment | None) -> None:
        """The "Next" arrow and the dashed line to it (None: nothing to show)."""
        payload = None
        if nxt is not None:
            # Rounded (about a metre, 15 degrees): the page hears of a change, not of
            # every fix (the line to it follows the vehicle on the page by itself).
            payload = {
                "id": nxt.segment_id,
                "lat": round(nxt.lat, 5),
                "lon": round(nxt.lon, 5),
                "bearing": round(nxt.bearing_deg / 15) * 15 % 360,
            }
        if payload == self._next:
            return
        self._next = payload
        self._call("showNext", payload)

    def add_pin(self, lat: float, lon: float, text: str) -> None:
        """An exception's pin; a tap on it shows `text` (what and when)."""
        pin = {"lat": lat, "lon": lon, "text": text}
        self._pins.append(pin)
        self._call("addPin", pin)

    @property
    def pins(self) -> list[dict[str, Any]]:
        return list(self._pins)

    def show_route_views(self, route: Route, views: Mapping[str, dict[str, Any]]) -> None:
        """Draw `route` with each segment's view (`ui.segment_views.segment_view`)."""
        payload = route_payload(route)
        if payload == self._route:
            # The same route again (start-up draws the cached route before the core
            # exists, then the core draws it): restyle what differs, keep the view.
            shown: Mapping[str, object] = self._statuses
            changed = {k: v for k, v in views.items() if shown.get(k) != v}
            self.set_views(changed)
            if self._streets is None:  # a snapshot has no street context: cut it now
                self._draw_streets_around_soon(route)
            return
        self._route = payload
        self._statuses = dict(views)  # type: ignore[arg-type]  # the page takes both forms
        self._call("loadRoute", self._route, self._statuses)
        self._draw_streets_around_soon(route)
        self.shown_changed.emit()

    def snapshot(self) -> str | None:
        """What this map shows of its route (route, views, labels) as JSON, for
        `show_snapshot` at the next start; None when it shows no route."""
        if not self._route or not self._route.get("features"):
            return None
        return json.dumps(
            {"route": self._route, "views": self._statuses, "labels": self._labels},
            allow_nan=False,
        )

    def show_snapshot(self, text: str) -> int:
        """Show what `snapshot` returned (its route is then drawn with the page's first
        frame); the number of segments drawn. ValueError when `text` is not one."""
        try:
            kept = json.loads(text)
            route, views, labels = kept["route"], kept["views"], kept["labels"]
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a map snapshot: {exc}") from exc
        if not isinstance(route, dict) or not isinstance(views, dict):
            raise ValueError("not a map snapshot")
        if isinstance(labels, dict):
            self.set_labels(labels)
        self._route = route
        self._statuses = views
        self._call("loadRoute", self._route, self._statuses)
        return len(route.get("features") or ())

    def set_views(self, views: Mapping[str, dict[str, Any]]) -> None:
        """Restyle the given segments and refresh their tap-panel words."""
        if not views:
            return
        self._statuses.update(views)  # type: ignore[arg-type]
        self._call("setStatuses", dict(views))
        self.shown_changed.emit()

    def set_labels(self, labels: Mapping[str, str]) -> None:
        self._labels = dict(labels)
        self._call("setLabels", self._labels)
        self.shown_changed.emit()

    def set_follow(self, on: bool) -> None:
        self._call("setFollow", on)

    def recentre(self) -> None:
        """Follow the vehicle again and bring it to the middle of the map."""
        self._call("recentre")

    def show_segment_info(self, segment_id: str) -> None:
        self._call("showInfo", segment_id)

    def _replay_calls(self) -> list[list[Any]]:
        labels: list[list[Any]] = [["setLabels", [self._labels]]] if self._labels else []
        after: list[list[Any]] = [["setPins", [self._pins]]] if self._pins else []
        if self._next is not None:
            after.append(["showNext", [self._next]])
        return labels + super()._replay_calls() + after
