"""The fix filter: which positions coverage may trust (client/fix_filter.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from client.fix_filter import FilterConfig, FixFilter, Rejection
from client.nmea import Reading
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
