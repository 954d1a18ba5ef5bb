"""Demo routes built from the bundled OpenStreetMap streets."""

from __future__ import annotations

from typing import Any

import pytest

from server.demo_data import (
    MIN_SEGMENT_M,
    build_demo_routes,
    build_segments,
    is_connected,
    load_roads,
)
from server.geo import haversine_m
from server.plans import PlannedRoute


@pytest.fixture(scope="module")
def routes() -> list[PlannedRoute]:
    return build_demo_routes()


def test_three_connected_routes_of_3_to_8_km(routes: list[PlannedRoute]) -> None:
    for route in routes:
        km = route.length_m / 1000
        print(f"{route.id}: {route.name}, {km:.2f} km, {len(route.segments)} segments")
        assert 3000 <= route.length_m <= 8000
        assert is_connected(route.segments)
    assert [r.name for r in routes] == ["Uptown North", "Uptown East", "Uptown West"]
    ids = [s.id for r in routes for s in r.segments]
    assert len(ids) == len(set(ids)), "routes share no segment"


def test_routes_are_deterministic(routes: list[PlannedRoute]) -> None:
    assert build_demo_routes() == routes


def test_segments_are_real_residential_or_tertiary_streets(routes: list[PlannedRoute]) -> None:
    ways = {int(f["id"]): f for f in load_roads()}
    for segment in (s for r in routes for s in r.segments):
        _, way_id, _ = segment.id.split("-")
        way = ways[int(way_id)]
        assert way["properties"]["highway"] in {"residential", "tertiary"}
        assert segment.street == (way["properties"]["name"] or "Unnamed residential")
        assert segment.length_m >= MIN_SEGMENT_M
        way_coords = {tuple(c) for c in way["geometry"]["coordinates"]}
        assert set(segment.coords) <= way_coords


def _way(way_id: int, coords: list[tuple[float, float]], **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": way_id,
        "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
        "properties": {
            "highway": "residential",
            "name": None,
            "oneway": None,
            "lanes": None,
            **props,
        },
    }


def test_ways_split_at_intersections_and_tags_parsed() -> None:
    # A 300 m east-west street crossed in the middle by a north-south one.
    a, mid, b = (-80.520, 43.47), (-80.5182, 43.47), (-80.5163, 43.47)
    north, south = (-80.5182, 43.4715), (-80.5182, 43.4685)
    features = [
        _way(1, [a, mid, b], name="Main Street", oneway="-1"),
        _way(2, [north, mid, south], lanes="3", highway="tertiary"),
        _way(3, [north, (-80.5150, 43.4715)], highway="service"),
    ]
    segments = {s.id: s for s in build_segments(features)}
    assert sorted(segments) == ["osm-1-0", "osm-1-1", "osm-2-0", "osm-2-1"]
    first = segments["osm-1-0"]
    assert first.coords == (mid, a)  # oneway=-1: drawn in the direction of travel
    assert (first.oneway, first.lanes, first.street) == (True, 1, "Main Street")
    assert first.length_m == pytest.approx(haversine_m(a, mid), abs=0.1)
    cross = segments["osm-2-1"]
    assert (cross.oneway, cross.lanes, cross.street) == (False, 3, "Unnamed tertiary")


def test_tiny_pieces_merge_into_their_neighbour() -> None:
    a, near, b = (-80.520, 43.47), (-80.51995, 43.47), (-80.517, 43.47)
    features = [
        _way(1, [a, near, b]),
        _way(2, [near, (-80.51995, 43.471)]),
    ]
    main = [s for s in build_segments(features) if s.id.startswith("osm-1-")]
    assert [s.id for s in main] == ["osm-1-0"]
    assert main[0].coords == (a, near, b)
