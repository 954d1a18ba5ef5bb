"""The skeleton's coverage rule on real Waterloo streets, with the simulator driving them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from client.coverage import CoverageTracker
from client.geo import LocalProjection
from client.models import Fix, SegmentState
from client.simulator import RouteSimulator
from tests.helpers.routes import street_route

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def _drive_along(coords, speed_mps: float, offset_m: float = 0.0):
    """Fixes every second along a polyline at a constant speed, offset sideways."""
    proj = LocalProjection.around(coords)
    xy = [proj.to_xy(*c) for c in coords]
    fixes, t, dist = [], T0, 0.0
    import math

    total = sum(math.dist(a, b) for a, b in itertools.pairwise(xy))
    while dist <= total:
        d, i = dist, 0
        while i < len(xy) - 2 and d > math.dist(xy[i], xy[i + 1]):
            d -= math.dist(xy[i], xy[i + 1])
            i += 1
        (ax, ay), (bx, by) = xy[i], xy[i + 1]
        seg = math.dist(xy[i], xy[i + 1]) or 1
        f = min(d / seg, 1)
        x, y = ax + (bx - ax) * f, ay + (by - ay) * f
        nx, ny = -(by - ay) / seg, (bx - ax) / seg
        lon, lat = proj.to_lonlat(x + nx * offset_m, y + ny * offset_m)
        fixes.append(Fix(t=t, lat=lat, lon=lon))
        t += timedelta(seconds=1)
        dist += speed_mps
    return fixes


def test_segment_driven_at_sweeping_speed_is_swept() -> None:
    route = street_route("Dorset Street")
    seg = max(route.segments, key=lambda s: s.length_m)
    tracker = CoverageTracker(route)
    swept = set()
    for fix in _drive_along(seg.coords, 6 / 3.6, offset_m=4):
        swept |= tracker.add_fix(fix).newly_swept
    assert seg.id in swept
    assert tracker.status(seg.id).state is SegmentState.SWEPT
    assert tracker.status(seg.id).covered_fraction >= 0.8


def test_transit_speed_does_not_sweep() -> None:
    route = street_route("Dorset Street")
    seg = max(route.segments, key=lambda s: s.length_m)
    tracker = CoverageTracker(route)
    for fix in _drive_along(seg.coords, 30 / 3.6):
        tracker.add_fix(fix)
    assert tracker.status(seg.id).state is SegmentState.NOT_STARTED


def test_driving_a_parallel_street_does_not_sweep() -> None:
    route = street_route("Dorset Street")
    seg = max(route.segments, key=lambda s: s.length_m)
    tracker = CoverageTracker(route)
    for fix in _drive_along(seg.coords, 6 / 3.6, offset_m=40):
        tracker.add_fix(fix)
    assert tracker.status(seg.id).covered_fraction == 0


def test_half_a_segment_is_in_progress_not_swept() -> None:
    route = street_route("Seagram Drive")
    seg = max(route.segments, key=lambda s: s.length_m)
    tracker = CoverageTracker(route)
    fixes = _drive_along(seg.coords, 6 / 3.6)
    for fix in fixes[: len(fixes) // 2]:
        tracker.add_fix(fix)
    status = tracker.status(seg.id)
    assert status.state is SegmentState.IN_PROGRESS
    assert 0.3 < status.covered_fraction < 0.7


def test_a_gap_is_not_bridged() -> None:
    route = street_route("Seagram Drive")
    seg = max(route.segments, key=lambda s: s.length_m)
    fixes = _drive_along(seg.coords, 6 / 3.6)
    tracker = CoverageTracker(route)
    tracker.add_fix(fixes[0])
    # the next fix arrives two minutes later at the far end: no coverage in between
    last = fixes[-1]
    tracker.add_fix(Fix(t=fixes[0].t + timedelta(seconds=120), lat=last.lat, lon=last.lon))
    assert tracker.status(seg.id).covered_fraction == 0


def test_state_round_trips_through_saved_bitmaps() -> None:
    route = street_route("Dorset Street")
    seg = max(route.segments, key=lambda s: s.length_m)
    tracker = CoverageTracker(route)
    for fix in _drive_along(seg.coords, 6 / 3.6):
        tracker.add_fix(fix)
    saved = tracker.take_dirty()
    restored = CoverageTracker(route)
    for sid, (bins, swept_at) in saved.items():
        restored.restore(sid, bins, swept_at)
    assert restored.statuses() == tracker.statuses()
    assert restored.progress() == tracker.progress()


def test_simulated_drive_sweeps_the_route() -> None:
    route = street_route("Seagram Drive")
    sim = RouteSimulator(route, start=T0, seed=7)
    tracker = CoverageTracker(route)
    for fix in sim.fixes():
        tracker.add_fix(fix)
    progress = tracker.progress()
    # one-way legality and GPS noise may leave a short piece; most of the street is swept
    assert progress.fraction > 0.9, tracker.statuses()
