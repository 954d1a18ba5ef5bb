"""Domain values to page JSON: only drawable, JSON-safe data reaches the page."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

from coverage.model import Fix, Route, Segment, SegmentState, SegmentStatus
from maps.payloads import fix_payload, route_payload, statuses_payload, trail_payload

T = datetime(2024, 5, 1, 13, 0, tzinfo=UTC)


def test_route_payload_is_geojson_and_drops_undrawable_segments():
    good = Segment(
        "s1",
        '<img src=x onerror="x()">',
        100.0,
        2,
        False,
        ((-80.5238857, 43.4659627), (-80.5240268, 43.4666763)),
    )
    bad = Segment("s2", "Broken", 10.0, 2, False, ((math.nan, 43.0), (-80.5, 43.0)))
    payload = route_payload(Route("r1", "Uptown", (good, bad)))
    assert [f["properties"]["id"] for f in payload["features"]] == ["s1"]
    assert payload["features"][0]["properties"]["street"] == good.street
    json.dumps(payload, allow_nan=False)


def test_statuses_payload_uses_state_names():
    statuses = {
        "a": SegmentStatus("a", SegmentState.SWEPT, 1.0),
        "b": SegmentStatus("b", SegmentState.IN_PROGRESS, 0.3),
    }
    assert statuses_payload(statuses) == {"a": "swept", "b": "in_progress"}


def test_fix_payload_rejects_what_cannot_be_drawn():
    assert fix_payload(Fix(T, 43.47, -80.52, heading_deg=90.0)) == {
        "lat": 43.47,
        "lon": -80.52,
        "heading": 90.0,
    }
    assert fix_payload(Fix(T, 43.47, -80.52, heading_deg=math.nan))["heading"] is None
    assert fix_payload(Fix(T, math.nan, -80.52)) is None
    assert fix_payload(Fix(T, 95.0, -80.52)) is None
    assert trail_payload([Fix(T, 43.47, -80.52), Fix(T, math.inf, 0.0)]) == [[43.47, -80.52]]
