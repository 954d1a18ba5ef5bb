"""The coverage engine: curb sides, the Kitchener rule's parts, explanations, operator facts,
and agreement with the shapely oracle on real street networks with realistic tracks."""

from __future__ import annotations

import itertools
import math
import random
from datetime import UTC, datetime, timedelta

from client.simulator import RouteSimulator, SimulatorProfile, drive
from coverage.engine import CoverageEngine
from coverage.explain import NotSweptReason
from coverage.geo import LocalProjection, line_length_m
from coverage.model import Fix, Progress, Route, Segment, SegmentState
from coverage.profiles import KITCHENER_2023, SWEEPLINE, SegmentRules
from tests.coverage.oracle import (
    cambridge_network,
    compare,
    grt_paths,
    kitchener_oracle,
    split_tracks,
    waterloo_network,
)
from tests.helpers.routes import street_route

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def _drive_along(coords, speed_mps: float, *, start=T0, offset_m: float = 0.0) -> list[Fix]:
    proj = LocalProjection.around(coords)
    xy = [proj.to_xy(*c) for c in coords]
    total = sum(math.dist(a, b) for a, b in itertools.pairwise(xy))
    fixes, t, dist = [], start, 0.0
    while dist <= total:
        d, i = dist, 0
        while i < len(xy) - 2 and d > math.dist(xy[i], xy[i + 1]):
            d -= math.dist(xy[i], xy[i + 1])
            i += 1
        (ax, ay), (bx, by) = xy[i], xy[i + 1]
        seg = math.dist(xy[i], xy[i + 1]) or 1
        f = min(d / seg, 1)
        nx, ny = -(by - ay) / seg, (bx - ax) / seg
        lon, lat = proj.to_lonlat(
            ax + (bx - ax) * f + nx * offset_m, ay + (by - ay) * f + ny * offset_m
        )
        fixes.append(Fix(t=t, lat=lat, lon=lon))
        t += timedelta(seconds=1)
        dist += speed_mps
    return fixes


def _one(seg: Segment) -> Route:
    return Route("r", "r", (seg,))


def _dorset() -> Segment:
    return max(street_route("Dorset Street").segments, key=lambda s: s.length_m)


def _feed(engine: CoverageEngine, fixes: list[Fix]) -> set[str]:
    swept: set[str] = set()
    engine.break_track()
    for f in fixes:
        swept |= engine.add_fix(f).newly_swept
    return swept


# -- curb sides ------------------------------------------------------------------------------


def test_two_way_street_driven_once_is_half_done_and_back_is_done() -> None:
    seg = _dorset()
    assert not seg.oneway
    engine = CoverageEngine(_one(seg), SWEEPLINE)
    _feed(engine, _drive_along(seg.coords, 6 / 3.6, offset_m=-2))
    status = engine.status(seg.id)
    assert status.state is SegmentState.IN_PROGRESS
    assert status.covered_fraction == 0.5
    e = engine.explain(seg.id)
    assert e.sides_done == ("right",)
    assert e.sides_needed == 2
    assert "left curb" in (e.reason or "")
    assert engine.progress().swept_m == seg.length_m  # one curb of two
    back = _drive_along(seg.coords[::-1], 6 / 3.6, start=T0 + timedelta(hours=1), offset_m=-2)
    assert seg.id in _feed(engine, back)
    assert engine.status(seg.id).state is SegmentState.SWEPT
    assert engine.explain(seg.id).sides_done == ("right", "left")
    assert engine.progress().swept_m == engine.progress().total_m == 2 * seg.length_m


def test_one_way_street_driven_once_is_done() -> None:
    base = _dorset()
    seg = Segment(base.id, base.street, base.length_m, base.lanes, True, base.coords)
    engine = CoverageEngine(_one(seg), SWEEPLINE)
    assert seg.id in _feed(engine, _drive_along(seg.coords, 6 / 3.6))
    assert engine.status(seg.id).covered_fraction == 1.0


def test_narrow_two_way_street_needs_one_pass() -> None:
    base = _dorset()
    seg = Segment(base.id, base.street, base.length_m, 1, False, base.coords)
    engine = CoverageEngine(_one(seg), SWEEPLINE)
    assert seg.id in _feed(engine, _drive_along(seg.coords[::-1], 6 / 3.6))


def test_transit_speed_and_parallel_streets_do_not_sweep() -> None:
    seg = _dorset()
    engine = CoverageEngine(_one(seg), SWEEPLINE)
    _feed(engine, _drive_along(seg.coords, 30 / 3.6))
    e = engine.explain(seg.id)
    assert e.state is not SegmentState.SWEPT
    assert "transit" in (e.reason or "")
    engine2 = CoverageEngine(_one(seg), SWEEPLINE)
    _feed(engine2, _drive_along(seg.coords, 6 / 3.6, offset_m=45))
    assert engine2.status(seg.id).state is SegmentState.NOT_STARTED


def test_broom_signal_is_sensed_and_can_withhold_a_sweep() -> None:
    seg = _dorset()
    engine = CoverageEngine(_one(seg), SWEEPLINE)
    engine.set_broom(False)
    _feed(engine, _drive_along(seg.coords, 6 / 3.6))
    assert engine.status(seg.id).state is not SegmentState.SWEPT  # broom up: not swept
    engine.set_broom(True)
    _feed(engine, _drive_along(seg.coords[::-1], 6 / 3.6, start=T0 + timedelta(hours=1)))
    _feed(engine, _drive_along(seg.coords, 6 / 3.6, start=T0 + timedelta(hours=2)))
    e = engine.explain(seg.id)
    assert e.state is SegmentState.SWEPT
    assert e.source == "sensed"


def test_a_gap_is_never_bridged() -> None:
    seg = _dorset()
    fixes = _drive_along(seg.coords, 6 / 3.6)
    engine = CoverageEngine(_one(seg), KITCHENER_2023)
    engine.add_fix(fixes[0])
    engine.add_fix(
        Fix(fixes[0].t + timedelta(seconds=1), fixes[-1].lat, fixes[-1].lon), new_track=True
    )
    assert engine.passes(seg.id) == (0, 0)


# -- the Kitchener rule ----------------------------------------------------------------------


def test_kitchener_rule_numbers_for_one_pass() -> None:
    seg = _dorset()
    engine = CoverageEngine(_one(seg), KITCHENER_2023)
    _feed(engine, _drive_along(seg.coords, 6 / 3.6, offset_m=3))
    e = engine.explain(seg.id)
    assert e.state is SegmentState.SWEPT
    assert e.source == "inferred"
    assert (e.passes, e.sweeping_passes) == (1, 1)
    assert e.buffer_m == round(seg.lanes * 3.3 + 6, 1)
    assert abs(e.trimmed_length_m - (seg.length_m - 20)) < 0.5
    assert e.coverage_pct > 36
    assert e.sweep_speed_kmh is not None
    assert 5 < e.sweep_speed_kmh[0] <= 6.5
    assert "Swept" in e.text()


def test_kitchener_excludes_provincial_roads_and_short_segments() -> None:
    seg = _dorset()
    short_coords = seg.coords[:2]
    short = Segment("short", "x", line_length_m(short_coords), 2, False, short_coords)
    route = Route("r", "r", (seg, short))
    engine = CoverageEngine(route, KITCHENER_2023, rules={seg.id: SegmentRules(excluded=True)})
    _feed(engine, _drive_along(seg.coords, 6 / 3.6))
    assert engine.explain(seg.id).reason == "excluded (provincial road)"
    assert engine.progress().segments_total == 1
    if short.length_m <= 20:
        assert "end trim" in (engine.explain("short").reason or "")


# -- explanations, operator facts, persistence ----------------------------------------------


def test_operator_confirmation_and_override_are_facts() -> None:
    seg = _dorset()
    engine = CoverageEngine(_one(seg), SWEEPLINE)
    payload = engine.mark_not_swept(seg.id, NotSweptReason.PARKED_CARS, T0, "blue van")
    assert payload["reason"] == "parked_cars"
    assert payload["segment_id"] == seg.id
    assert payload["note"] == "blue van"
    assert "coverage_pct" in payload["engine"]
    assert engine.explain(seg.id).reason == "operator: parked_cars"
    confirmed = engine.confirm(seg.id, T0 + timedelta(minutes=5))
    assert confirmed["confirmed_at"].startswith("2026-05-04T08:05")
    assert engine.status(seg.id).state is SegmentState.SWEPT
    assert engine.explain(seg.id).source == "operator"


def test_state_round_trips_through_take_dirty_and_restore() -> None:
    seg = _dorset()
    engine = CoverageEngine(_one(seg), SWEEPLINE)
    _feed(engine, _drive_along(seg.coords, 6 / 3.6))
    engine.mark_not_swept(seg.id, NotSweptReason.CONSTRUCTION, T0)
    saved = engine.take_dirty()
    again = CoverageEngine(_one(seg), SWEEPLINE)
    for sid, (blob, swept_at) in saved.items():
        again.restore(sid, blob, swept_at)
    again.restore(seg.id + "-unknown", b"junk", None)
    assert again.statuses() == engine.statuses()
    assert again.explain(seg.id) == engine.explain(seg.id)
    fresh = CoverageEngine(_one(seg), SWEEPLINE)
    fresh.restore(seg.id, bytes(40), None)  # a skeleton bitmap: ignored, not a crash
    assert fresh.status(seg.id).state is SegmentState.NOT_STARTED


def test_simulated_drive_with_the_new_engine() -> None:
    route = street_route("Seagram Drive")
    engine = CoverageEngine(route, KITCHENER_2023)
    for fix in RouteSimulator(route, start=T0, seed=7).fixes():
        engine.add_fix(fix)
    assert engine.progress().fraction > 0.8, {
        s: engine.explain(s).reason for s in engine.statuses()
    }


# -- agreement with the shapely oracle --------------------------------------------------------


def test_agrees_with_the_oracle_on_uptown_waterloo_along_grt_paths() -> None:
    route = waterloo_network()
    proj = LocalProjection.around([c for s in route.segments for c in s.coords])
    rng = random.Random(5)
    fixes: list[Fix] = []
    t = T0
    for i, path in enumerate(grt_paths()[::2]):
        # three of four paths swept (3–10 km/h with stops), every fourth in transit
        flags = [i % 4 != 3] * (len(path) - 1)
        leg = list(
            drive(
                path,
                flags,
                start=t,
                rng=rng,
                profile=SimulatorProfile(noise_m=3.0),
                projection=proj,
            )
        )
        fixes += leg
        t = leg[-1].t + timedelta(minutes=2)
    engine = CoverageEngine(route, KITCHENER_2023, projection=proj)
    for fix in fixes:
        engine.add_fix(fix)
    oracle = kitchener_oracle(route.segments, split_tracks(fixes, proj), proj)
    agreement, disagreements = compare(engine, oracle)
    assert sum(o.swept for o in oracle.values()) >= 10
    assert agreement >= 0.99, "\n".join(disagreements)


def test_agrees_with_the_oracle_on_a_cambridge_district() -> None:
    route = cambridge_network("F")  # 137 centrelines
    proj = LocalProjection.around([c for s in route.segments for c in s.coords])
    fixes = list(RouteSimulator(route, start=T0, seed=2).fixes())
    engine = CoverageEngine(route, KITCHENER_2023, projection=proj)
    for fix in fixes:
        engine.add_fix(fix)
    oracle = kitchener_oracle(route.segments, split_tracks(fixes, proj), proj)
    agreement, disagreements = compare(engine, oracle)
    assert sum(o.swept for o in oracle.values()) >= 0.5 * len(route.segments)
    assert agreement >= 0.99, "\n".join(disagreements)


def test_kitchener_progress_counts_street_metres_of_swept_segments_only() -> None:
    dorset = street_route("Dorset Street").segments
    seg, other = sorted(dorset, key=lambda s: s.length_m)[-2:][::-1]
    engine = CoverageEngine(Route("r", "r", (seg, other)), KITCHENER_2023)
    assert engine.progress() == Progress(seg.length_m + other.length_m, 0.0, 2, 0)
    _feed(engine, _drive_along(seg.coords, 6 / 3.6, offset_m=3))
    assert engine.status(seg.id).state is SegmentState.SWEPT
    assert engine.status(other.id).state is not SegmentState.SWEPT
    assert engine.progress() == Progress(seg.length_m + other.length_m, seg.length_m, 2, 1)
