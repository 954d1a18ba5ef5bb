"""Which route segment the vehicle is on: the nearest one within 25 m of a fix.

Exceptions, notes and form answers are filed against that segment. The route's shapes
are projected once (local metres) and reused until the route changes.
"""

from __future__ import annotations

import math
from typing import Final

from coverage.geo import LocalProjection, project_onto_polyline
from coverage.model import Fix, Route

# A fix further than this from every segment is "not on the route" for exceptions.
CURRENT_SEGMENT_MAX_M: Final = 25.0

_Shape = tuple[list[float], list[float], list[float]]


class RouteLocator:
    def __init__(self) -> None:
        self._route: Route | None = None
        self._projection = LocalProjection(0.0, 0.0)
        self._shapes: dict[str, _Shape] = {}

    def segment_at(self, route: Route, fix: Fix) -> str | None:
        """The id of the segment nearest to `fix` within `CURRENT_SEGMENT_MAX_M`, or None."""
        if route is not self._route:
            self._project(route)
        x, y = self._projection.to_xy(fix.lon, fix.lat)
        best: tuple[float, str] | None = None
        for segment_id, (xs, ys, cum) in self._shapes.items():
            distance, _along = project_onto_polyline(x, y, xs, ys, cum)
            if distance <= CURRENT_SEGMENT_MAX_M and (best is None or distance < best[0]):
                best = (distance, segment_id)
        return best[1] if best else None

    def _project(self, route: Route) -> None:
        self._route = route
        coords = [c for s in route.segments for c in s.coords]
        self._projection = LocalProjection.around(coords) if coords else LocalProjection(0.0, 0.0)
        self._shapes = {}
        for segment in route.segments:
            xy = [self._projection.to_xy(lon, lat) for lon, lat in segment.coords]
            if len(xy) < 2:
                continue
            xs, ys = [p[0] for p in xy], [p[1] for p in xy]
            cum = [0.0]
            for i in range(len(xs) - 1):
                cum.append(cum[-1] + math.hypot(xs[i + 1] - xs[i], ys[i + 1] - ys[i]))
            self._shapes[segment.id] = (xs, ys, cum)
