"""The simulator drives real geometry at sweeping speed, with stops and noise."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from client.simulator import RouteSimulator
from coverage.geo import haversine_m
from tests.helpers.routes import street_route

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def test_fixes_are_one_hertz_and_mostly_at_sweeping_speed() -> None:
    route = street_route("Seagram Drive")
    fixes = list(RouteSimulator(route, start=T0, seed=3).fixes())
    assert len(fixes) > 60
    assert all((b.t - a.t).total_seconds() == 1 for a, b in itertools.pairwise(fixes))
    speeds = [f.speed_mps * 3.6 for f in fixes]
    moving = [s for s in speeds if s > 0]
    stopped = [s for s in speeds if s == 0]
    assert stopped, "the profile has stops"
    sweeping = [s for s in moving if 3 <= s <= 10]
    assert len(sweeping) / len(moving) > 0.5


def test_every_fix_is_near_the_route() -> None:
    route = street_route("Seagram Drive")
    vertices = [c for s in route.segments for c in s.coords]
    for fix in RouteSimulator(route, start=T0, seed=5).fixes():
        nearest = min(haversine_m(fix.lon, fix.lat, lon, lat) for lon, lat in vertices)
        # vertices are sparse on straight streets, so allow the longest edge
        assert nearest < 200


def test_same_seed_same_drive() -> None:
    route = street_route("Dorset Street")
    a = list(RouteSimulator(route, start=T0, seed=11).fixes())
    b = list(RouteSimulator(route, start=T0, seed=11).fixes())
    assert a == b
