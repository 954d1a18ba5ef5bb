"""The fix filter: which positions coverage may trust (client/fix_filter.py)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from client.fix_filter import FilterConfig, FixFilter, Rejection
from client.nmea import Reading
from coverage.geo import EARTH_RADIUS_M, haversine_m
from coverage.model import Fix

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def _r(
    t: float, lat: float = 43.47, lon: float = -80.53, hdop: float = 1.0, alt: float = 330.0
) -> Reading:
    return Reading(Fix(T0 + timedelta(seconds=t), lat, lon), hdop=hdop, altitude_m=alt)


def test_filter_rejects_bad_fixes_and_splits_tracks_at_gaps() -> None:
    flt = FixFilter()
    assert flt.check(_r(0, hdop=23.9)).rejection is Rejection.INACCURATE
    assert flt.check(_r(0, alt=-5000)).rejection is Rejection.JUNK
    first = flt.check(_r(0))
    assert first.accepted
    assert first.new_track
    assert flt.check(_r(0)).rejection is Rejection.DUPLICATE
    assert flt.check(_r(-1)).rejection is Rejection.OUT_OF_ORDER
    assert flt.check(_r(1, lat=43.48)).rejection is Rejection.JUMP  # 1.1 km in 1 s
    nxt = flt.check(_r(2, lat=43.47001))
    assert nxt.accepted
    assert not nxt.new_track
    gap = flt.check(_r(60, lat=43.4702))
    assert gap.accepted
    assert gap.new_track


def test_filter_reanchors_after_a_junk_first_fix() -> None:
    flt = FixFilter()
    assert flt.check(_r(0, lat=44.0)).accepted  # plausible-looking, but 60 km off
    results = [flt.check(_r(t, lat=43.47 + t * 1e-5)) for t in range(1, 5)]
    assert [r.rejection for r in results[:2]] == [Rejection.JUMP, Rejection.JUMP]
    assert results[2].accepted
    assert results[2].new_track
    assert results[3].accepted


def test_filter_with_a_clock_rejects_stale_and_future_fixes() -> None:
    now = T0 + timedelta(seconds=100)
    flt = FixFilter(FilterConfig(), clock=lambda: now)
    assert flt.check(_r(0)).rejection is Rejection.STALE
    assert flt.check(_r(200)).rejection is Rejection.FUTURE
    assert flt.check(_r(99)).accepted


def test_gpsd_style_readings_without_hdop_use_reported_error() -> None:
    flt = FixFilter()
    bad = Reading(Fix(T0, 43.47, -80.53, accuracy_m=454.1))
    assert flt.check(bad).rejection is Rejection.INACCURATE
    assert flt.check(Reading(Fix(T0, 43.47, -80.53, accuracy_m=12.0))).accepted


# -- every limit at its boundary, with the defaults the tablet actually uses ----------------

METRES_PER_DEGREE_LAT = math.radians(1) * EARTH_RADIUS_M


def _north(metres: float) -> float:
    """The latitude `metres` north of the default reading's."""
    return 43.47 + metres / METRES_PER_DEGREE_LAT


def _anchored(**kwargs: object) -> FixFilter:
    flt = FixFilter(**kwargs)  # type: ignore[arg-type]
    assert flt.check(_r(0)).accepted
    return flt


def test_the_defaults_are_the_documented_limits() -> None:
    assert FilterConfig() == FilterConfig(
        max_hdop=20.0,
        max_accuracy_m=100.0,
        min_altitude_m=-1_000.0,
        max_altitude_m=9_000.0,
        max_speed_mps=50.0,
        jump_slack_m=30.0,
        max_age_s=10.0,
        max_ahead_s=5.0,
        gap_s=10.0,
        reanchor_after=3,
    )


@pytest.mark.parametrize(("hdop", "accepted"), [(19.5, True), (20.0, True), (20.5, False)])
def test_hdop_limit(hdop: float, accepted: bool) -> None:
    result = FixFilter().check(_r(0, hdop=hdop))
    assert result.accepted is accepted
    assert result.rejection is (None if accepted else Rejection.INACCURATE)


@pytest.mark.parametrize(
    ("accuracy", "accepted"), [(None, True), (99.5, True), (100.0, True), (100.5, False)]
)
def test_reported_error_limit_when_there_is_no_hdop(accuracy: float | None, accepted: bool) -> None:
    reading = Reading(Fix(T0, 43.47, -80.53, accuracy_m=accuracy))
    assert FixFilter().check(reading).accepted is accepted


def test_reported_error_is_not_used_when_there_is_an_hdop() -> None:
    reading = Reading(Fix(T0, 43.47, -80.53, accuracy_m=500.0), hdop=1.0)
    assert FixFilter().check(reading).accepted


@pytest.mark.parametrize(
    ("alt", "accepted"),
    [
        (-1000.5, False),
        (-1000.0, True),
        (-999.5, True),
        (8999.5, True),
        (9000.0, True),
        (9000.5, False),
    ],
)
def test_altitude_limits(alt: float, accepted: bool) -> None:
    result = FixFilter().check(_r(0, alt=alt))
    assert result.accepted is accepted
    assert result.rejection is (None if accepted else Rejection.JUNK)


def test_no_altitude_is_not_junk() -> None:
    assert FixFilter().check(Reading(Fix(T0, 43.47, -80.53), hdop=1.0)).accepted


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("field", ["lat", "lon"])
def test_non_finite_coordinates_are_junk(bad: float, field: str) -> None:
    flt = FixFilter()
    reading = _r(0, **{field: bad})  # type: ignore[arg-type]
    assert flt.check(reading).rejection is Rejection.JUNK
    assert flt.rejected == {Rejection.JUNK: 1}
    # nothing was anchored on it: the next good fix starts the track
    assert flt.check(_r(1)).new_track


@pytest.mark.parametrize(
    ("age_s", "rejection"),
    [
        (10.5, Rejection.STALE),
        (10.0, None),
        (9.5, None),
        (-4.5, None),
        (-5.0, None),
        (-5.5, Rejection.FUTURE),
    ],
)
def test_wall_clock_limits(age_s: float, rejection: Rejection | None) -> None:
    now = T0 + timedelta(seconds=100)
    flt = FixFilter(clock=lambda: now)
    assert flt.check(_r(100 - age_s)).rejection is rejection


@pytest.mark.parametrize(("metres", "accepted"), [(79.0, True), (81.0, False)])
def test_jump_limit_is_speed_times_time_plus_slack(metres: float, accepted: bool) -> None:
    flt = _anchored()
    later = _r(1, lat=_north(metres))
    assert haversine_m(-80.53, 43.47, -80.53, later.fix.lat) == pytest.approx(metres, abs=0.01)
    result = flt.check(later)
    assert result.accepted is accepted
    assert result.rejection is (None if accepted else Rejection.JUMP)


def test_the_slack_is_added_even_to_short_hops() -> None:
    """25 m in 1 s is GPS noise at a standstill, not a jump (50·1 + 30 m allowed)."""
    flt = _anchored()
    assert flt.check(_r(1, lat=_north(25.0))).accepted


def test_a_5_hz_receiver_is_judged_per_fifth_of_a_second() -> None:
    flt = _anchored()
    # 0.2 s apart: not duplicates; 2 m per step is walking pace
    steps = [flt.check(_r(0.2 * i, lat=_north(2.0 * i))) for i in range(1, 6)]
    assert all(s.accepted and not s.new_track for s in steps)
    # 50 m/s · 0.2 s + 30 m = 40 m allowed in one step
    assert flt.check(_r(1.2, lat=_north(10.0 + 39.0))).accepted
    assert flt.check(_r(1.4, lat=_north(49.0 + 41.0))).rejection is Rejection.JUMP


@pytest.mark.parametrize(("gap_s", "new_track"), [(9.5, False), (10.0, False), (10.5, True)])
def test_a_track_splits_after_more_than_ten_seconds(gap_s: float, new_track: bool) -> None:
    flt = _anchored()
    result = flt.check(_r(gap_s, lat=_north(5.0)))
    assert result.accepted
    assert result.new_track is new_track


def test_inconsistent_jumps_never_reanchor() -> None:
    """Each suspect far from the previous suspect: a scatter, not a consistent run."""
    flt = _anchored()
    results = [flt.check(_r(t, lat=_north(5_000.0 * (1 if t % 2 else 2)))) for t in range(1, 7)]
    assert [r.rejection for r in results] == [Rejection.JUMP] * 6
    assert flt.rejected == {Rejection.JUMP: 6}


def test_a_consistent_run_of_jumps_reanchors_on_its_third_fix() -> None:
    flt = _anchored()
    far = [flt.check(_r(t, lat=_north(5_000.0 + 10.0 * t))) for t in range(1, 5)]
    assert [r.accepted for r in far] == [False, False, True, True]
    assert [r.new_track for r in far] == [False, False, True, False]
    assert far[2].fix == _r(3, lat=_north(5_030.0)).fix
    assert flt.rejected == {Rejection.JUMP: 2}


def test_a_good_fix_clears_the_suspects() -> None:
    flt = _anchored()
    assert flt.check(_r(1, lat=_north(5_000.0))).rejection is Rejection.JUMP
    assert flt.check(_r(2, lat=_north(10.0))).accepted  # back near the anchor
    # two more far fixes: not enough on their own to re-anchor
    assert flt.check(_r(3, lat=_north(5_020.0))).rejection is Rejection.JUMP
    assert flt.check(_r(4, lat=_north(5_030.0))).rejection is Rejection.JUMP


def test_rejections_are_counted_by_reason() -> None:
    flt = _anchored()
    flt.check(_r(0))
    flt.check(_r(0))
    flt.check(_r(-1))
    flt.check(_r(1, hdop=50.0))
    assert flt.rejected == {
        Rejection.DUPLICATE: 2,
        Rejection.OUT_OF_ORDER: 1,
        Rejection.INACCURATE: 1,
    }


def test_each_suspect_is_compared_with_the_one_before_it() -> None:
    """70 m a second is within the limit step by step (80 m), not over two steps (130 m)."""
    flt = _anchored()
    run = [flt.check(_r(t, lat=_north(5_000.0 + 70.0 * t))) for t in range(1, 4)]
    assert [r.accepted for r in run] == [False, False, True]
    assert run[2].new_track


def test_the_clock_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        FixFilter(FilterConfig(), lambda: T0)  # type: ignore[misc]
