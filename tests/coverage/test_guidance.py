"""Next-segment guidance on real Uptown Waterloo streets: the nearest segment still to
sweep, checked against shapely's distances, ties in route order, bearings by compass."""

from __future__ import annotations

import pytest
from shapely.geometry import LineString, Point

from coverage.geo import LocalProjection
from coverage.guidance import TIE_M, compass_point, next_segment
from coverage.model import Route, Segment
from tests.helpers.routes import waterloo_route


def _metres(route: Route, lon: float, lat: float) -> dict[str, float]:
    proj = LocalProjection(lon, lat)
    return {
        s.id: LineString([proj.to_xy(x, y) for x, y in s.coords]).distance(Point(0.0, 0.0))
        for s in route.segments
    }


@pytest.mark.parametrize("at", range(0, 8, 2))
def test_next_is_the_nearest_segment_left_to_sweep(at: int) -> None:
    route = waterloo_route(8)
    lon, lat = route.segments[at].coords[0]
    to_sweep = {s.id: ("right", "left") for s in route.segments}
    current = route.segments[at].id
    nxt = next_segment(route, to_sweep, lon, lat, current)
    assert nxt is not None
    distances = _metres(route, lon, lat)
    assert nxt.segment_id != current
    assert nxt.distance_m == pytest.approx(distances[nxt.segment_id], abs=0.5)
    others = [d for sid, d in distances.items() if sid != current]
    assert nxt.distance_m <= min(others) + TIE_M
    assert nxt.street == next(s.street for s in route.segments if s.id == nxt.segment_id)


def test_swept_segments_are_never_next_and_nothing_left_is_none() -> None:
    route = waterloo_route(8)
    lon, lat = route.segments[0].coords[0]
    to_sweep = {s.id: ("right",) for s in route.segments}
    seen = []
    while True:
        nxt = next_segment(route, to_sweep, lon, lat)
        if nxt is None:
            break
        assert nxt.segment_id in to_sweep
        seen.append(nxt.segment_id)
        del to_sweep[nxt.segment_id]
    assert sorted(seen) == sorted(s.id for s in route.segments)


def test_equally_near_segments_go_in_route_order() -> None:
    east = Segment("b", "East St", 100.0, 2, False, ((0.001, 0.0), (0.002, 0.0)))
    west = Segment("a", "West St", 100.0, 2, False, ((-0.001, 0.0), (-0.002, 0.0)))
    route = Route("r", "r", (east, west))
    nxt = next_segment(route, {"a": ("left",), "b": ("right",)}, 0.0, 0.0)
    assert nxt is not None
    assert (nxt.segment_id, nxt.sides) == ("b", ("right",))
    assert compass_point(nxt.bearing_deg) == 2  # east
    reordered = next_segment(Route("r", "r", (west, east)), {"a": ("left",), "b": ("right",)}, 0, 0)
    assert reordered is not None
    assert reordered.segment_id == "a"
    assert compass_point(reordered.bearing_deg) == 6  # west
