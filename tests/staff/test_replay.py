"""Building a replay from stored facts: fixes keep their own times, events count at the
server's trusted time (GPS, else device, else arrival; arrival when the claimed time was
flagged implausible), other devices and rejected facts are left out, and `state_at` is
everything that happened by then (clamped to the range)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from staff.replay import TRAIL_POINTS, build_recording, trusted_moment
from wire.protocol import encode_fix_batch

T0 = 1_900_000_000.0  # 2030-03-17, far from any day this suite runs on


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")


def fact(type_: str, t: float, **extra: Any) -> dict[str, Any]:
    payload = {"route_id": "r1", "segment_id": extra.pop("segment", "s1"), **extra.pop("p", {})}
    base = {
        "device_id": "tab-1",
        "status": "applied",
        "stream": "events",
        "type": type_,
        "gps_time": iso(t),
        "device_time": None,
        "received_at": iso(t + 30),
        "flags": [],
        "payload": payload,
    }
    return {**base, **extra}


def fixes(*times: float) -> dict[str, Any]:
    rows = [[t * 1000, 43.47 + i * 1e-4, -80.52, 2.5, 90.0, 4.0] for i, t in enumerate(times)]
    return {
        "device_id": "tab-1",
        "status": "applied",
        "stream": "gps",
        "type": "fix_batch",
        "payload": encode_fix_batch(rows),
    }


def test_trusted_moment_follows_the_server() -> None:
    assert trusted_moment(fact("segment_swept", T0)) == pytest.approx(T0)
    claimed_only = fact("segment_swept", T0, gps_time=None, device_time=iso(T0 + 5))
    assert trusted_moment(claimed_only) == pytest.approx(T0 + 5)
    flagged = fact("segment_swept", T0, flags=["implausible_time"])
    assert trusted_moment(flagged) == pytest.approx(T0 + 30)


def test_state_at_is_what_had_happened_by_then() -> None:
    facts = [
        fixes(T0, T0 + 10, T0 + 20, T0 + 400),
        fact("segment_swept", T0 + 15, segment="s1", p={"side": "left"}),
        fact("exception", T0 + 18, segment="s2", p={"kind": "parked_cars"}),
        fact("segment_not_swept", T0 + 25, segment="s3", p={"reason": "construction"}),
        fact("segment_swept", T0 + 19, segment="s9", device_id="tab-2"),
        fact("segment_swept", T0 + 19, segment="s8", status="rejected"),
        fact("segment_swept", T0 + 500, segment="s7"),  # after the range
    ]
    recording = build_recording("tab-1", facts, T0, T0 + 300)
    assert [p.t for p in recording.track] == [T0, T0 + 10, T0 + 20]
    assert [h.kind for h in recording.happenings] == [
        "swept",
        "parked_cars",
        "not swept: construction",
    ]
    assert recording.route_ids() == ["r1"]
    early = recording.state_at(T0 + 12)
    assert early.position is not None
    assert early.position.t == T0 + 10
    assert early.swept == frozenset()
    assert [p.t for p in early.trail] == [T0, T0 + 10]
    end = recording.state_at(T0 + 10_000)  # clamped to the end of the range
    assert end.t == T0 + 300
    assert end.swept == frozenset({("r1", "s1")})
    assert [e.segment_id for e in end.exceptions] == ["s2", "s3"]
    assert len(end.trail) <= TRAIL_POINTS


def test_a_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="end is before its start"):
        build_recording("tab-1", [], T0, T0 - 1)
