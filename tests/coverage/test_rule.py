"""The safeguards every profile holds (issue 18) one by one, on the adversarial block:
accuracy, gaps by source, speed over a window, extent instead of length, and what the
explanations and saved states say about them."""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

import pytest

from coverage.engine import CoverageEngine
from coverage.explain import NotSweptReason
from coverage.model import Fix, SegmentState
from coverage.profiles import (
    KITCHENER_2023,
    PROFILES,
    SOURCE_BOUNDS,
    SWEEPLINE,
    CoverageProfile,
    FixSource,
    profile_from_wire,
    profile_to_wire,
)
from tests.coverage.adversarial import CURB_M, ORIGIN, T0, network
from tests.coverage.tracks import Motion, Observed, ar1, every_second, fixes, telematics_ticks

BOTH = pytest.mark.parametrize("profile", list(PROFILES.values()), ids=lambda p: p.name)


def _both_ways(rng: random.Random, accuracy: float | None = 4.0) -> list[Fix]:
    motion = Motion((-5.0, -CURB_M)).wait(15).go((155.0, -CURB_M), kmh=6)
    motion.go((160.0, 0.0), (155.0, CURB_M), kmh=4).go((-5.0, CURB_M), kmh=6)
    n = len(motion.points)
    obs = Observed(motion.points, ar1(n, 1.0, rng), [accuracy] * n, every_second(n))
    return fixes(obs, ORIGIN, T0)


def _run(profile: CoverageProfile, fs: list[Fix], **kw: object) -> CoverageEngine:
    engine = CoverageEngine(network(), profile, **kw)  # type: ignore[arg-type]
    for f in fs:
        engine.add_fix(f)
    return engine


# -- accuracy ------------------------------------------------------------------------------


@BOTH
def test_fixes_worse_than_the_bound_add_nothing_and_are_named(profile: CoverageProfile) -> None:
    poor = _run(profile, _both_ways(random.Random(1), accuracy=15.0))
    assert poor.swept_ids() == set()
    assert poor.status("main").state is SegmentState.NOT_STARTED
    reason = poor.explain("main").reason or ""
    assert "ignored" in reason, reason
    assert "10 m" in reason, reason
    at_bound = _run(profile, _both_ways(random.Random(1), accuracy=profile.max_accuracy_m))
    unknown = _run(profile, _both_ways(random.Random(1), accuracy=None))
    assert "main" in at_bound.swept_ids()
    assert at_bound.explain("main") == unknown.explain("main")  # unknown is taken as 5 m


# -- gaps by principle ---------------------------------------------------------------------


def _line(seconds: list[float], metres: list[float]) -> list[Fix]:
    out = []
    for t, x in zip(seconds, metres, strict=True):
        lon, lat = ORIGIN.to_lonlat(x, -CURB_M)
        out.append(Fix(T0 + timedelta(seconds=t), lat, lon, accuracy_m=3.0))
    return out


def test_a_receiver_gap_is_bridged_only_when_short_in_time_and_length() -> None:
    ts = [float(t) for t in range(0, 40)]  # 1.5 m/s, then a gap
    xs = [20 + 1.5 * t for t in range(0, 40)]
    base = _run(KITCHENER_2023, _line(ts, xs))
    travelled = base.explain("main").extent_m_by_side["right"]
    short = _run(KITCHENER_2023, _line([*ts, 44.0], [*xs, xs[-1] + 6]))  # 4 s, 6 m
    assert short.explain("main").extent_m_by_side["right"] == pytest.approx(travelled + 6)
    for gap_s, gap_m in ((8.0, 6.0), (3.0, 25.0)):  # too long; too far
        broken = _run(KITCHENER_2023, _line([*ts, ts[-1] + gap_s], [*xs, xs[-1] + gap_m]))
        assert broken.explain("main").extent_m_by_side["right"] == pytest.approx(travelled)


def test_the_bounds_are_per_source() -> None:
    receiver, telematics = SOURCE_BOUNDS[FixSource.RECEIVER], SOURCE_BOUNDS[FixSource.TELEMATICS]
    assert (receiver.max_gap_s, receiver.max_gap_m) == (5.0, 20.0)
    assert telematics.max_gap_s > 35 > 30  # a 31–35 s heartbeat is not a gap
    motion = Motion((-5.0, -CURB_M)).wait(5).go((155.0, -CURB_M), kmh=6)
    n = len(motion.points)
    obs = Observed(
        motion.points, [(0.0, 0.0)] * n, [None] * n, telematics_ticks(n, random.Random(4), 31, 35)
    )
    feed = fixes(obs, ORIGIN, T0)
    as_receiver = _run(KITCHENER_2023, feed)
    as_telematics = _run(KITCHENER_2023, feed, source=FixSource.TELEMATICS)
    assert as_receiver.passes("main") == (0, 0)
    assert as_telematics.passes("main")[1] == 1


# -- speed from displacement over a window --------------------------------------------------


def test_a_track_younger_than_its_window_sweeps_nothing_yet() -> None:
    ts = [float(t) for t in range(0, 9)]
    xs = [40 + 1.5 * t for t in range(0, 9)]
    engine = _run(KITCHENER_2023, _line(ts, xs))
    assert engine.explain("main").extent_m_by_side == {"right": 0.0, "left": 0.0}
    engine.add_fix(_line([10.0], [55.0])[0])  # 10 s after the first fix: 15 m in 10 s
    assert engine.explain("main").extent_m_by_side["right"] == pytest.approx(3.0)


# -- extent, not accumulated length ----------------------------------------------------------


@BOTH
def test_shuttling_covers_its_stretch_once(profile: CoverageProfile) -> None:
    motion = Motion((50.0, -CURB_M)).wait(12)
    for _ in range(20):
        motion.go((70.0, -CURB_M), kmh=6).go((50.0, -CURB_M), kmh=6)
    n = len(motion.points)
    obs = Observed(motion.points, [(0.0, 0.0)] * n, [3.0] * n, every_second(n))
    e = _run(profile, fixes(obs, ORIGIN, T0)).explain("main")
    assert e.state is not SegmentState.SWEPT
    # at most the 20 m stretch (less: the window is slow near each turn), however long
    assert 10 < e.extent_m_by_side["right"] <= 20
    assert 10 < e.extent_m_by_side["left"] <= 20
    assert e.passes == 6  # 800 m of track over 130 m: the City's count still sees every trip
    assert e.sweeping_passes == 0


# -- explanations ----------------------------------------------------------------------------


@BOTH
def test_every_explanation_names_its_profile_and_rule(profile: CoverageProfile) -> None:
    engine = _run(profile, _both_ways(random.Random(2)))
    for sid in ("main", "alley", "cross-w-n"):
        e = engine.explain(sid)
        assert e.profile == profile.name
        assert e.rule.startswith(profile.name)
        assert profile.name in e.text()
    swept = engine.explain("main")
    assert swept.state is SegmentState.SWEPT
    assert swept.extent_pct_by_side["right"] > 80
    assert swept.extent_pct_by_side["left"] > 80
    assert "travelled along at sweeping speed: right" in swept.text()
    engine.mark_not_swept("main", NotSweptReason.BLOCKED, T0)
    overridden = engine.explain("main")
    assert overridden.rule == f"the operator's override ({profile.name} alone says swept)"


def test_a_parked_truck_is_explained_as_standing() -> None:
    motion = Motion((75.0, -CURB_M)).wait(600)
    n = len(motion.points)
    obs = Observed(motion.points, ar1(n, 2.0, random.Random(3)), [4.0] * n, every_second(n))
    e = _run(SWEEPLINE, fixes(obs, ORIGIN, T0)).explain("main")
    assert e.state is SegmentState.IN_PROGRESS
    assert "standing still is not sweeping" in (e.reason or "")


def test_a_broom_down_on_a_parked_truck_sweeps_nothing() -> None:
    motion = Motion((75.0, -CURB_M)).wait(1800)
    n = len(motion.points)
    obs = Observed(motion.points, ar1(n, 3.0, random.Random(8)), [4.0] * n, every_second(n))
    engine = CoverageEngine(network(), SWEEPLINE)
    engine.set_broom(True)
    for f in fixes(obs, ORIGIN, T0):
        engine.add_fix(f)
    assert engine.swept_ids() == set()
    assert engine.explain("main").source != "sensed" or engine.explain("main").sweeping_passes == 0


# -- saved state -----------------------------------------------------------------------------


@BOTH
def test_a_restored_swept_segment_is_not_swept_again(profile: CoverageProfile) -> None:
    engine = _run(profile, _both_ways(random.Random(5)))
    saved = engine.take_dirty()
    again = CoverageEngine(network(), profile)
    for sid, (blob, at) in saved.items():
        again.restore(sid, blob, at)
    assert again.statuses() == engine.statuses()
    newly: set[str] = set()
    for f in _both_ways(random.Random(6)):
        newly |= again.add_fix(dataclasses.replace(f, t=f.t + timedelta(hours=1))).newly_swept
    assert "main" not in newly


def test_a_state_saved_under_another_profile_is_ignored() -> None:
    saved = _run(SWEEPLINE, _both_ways(random.Random(5))).take_dirty()
    other = CoverageEngine(network(), KITCHENER_2023)
    for sid, (blob, at) in saved.items():
        other.restore(sid, blob, at)
    assert other.swept_ids() == set()


# -- the profile on the wire -------------------------------------------------------------------


def test_a_profile_travels_with_its_parameters() -> None:
    for profile in PROFILES.values():
        assert profile_from_wire(profile_to_wire(profile)) == profile
    stricter = profile_from_wire({**profile_to_wire(SWEEPLINE), "side_done_fraction": 0.9})
    assert stricter.side_done_fraction == 0.9
    assert stricter.curb_sides
    for bad in (
        {"name": 3},
        {**profile_to_wire(SWEEPLINE), "min_speed": 1},
        {**profile_to_wire(SWEEPLINE), "max_accuracy_m": "10"},
        {**profile_to_wire(SWEEPLINE), "curb_sides": 1},
    ):
        with pytest.raises(ValueError, match="profile"):
            profile_from_wire(bad)
