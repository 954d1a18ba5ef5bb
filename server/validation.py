"""Is a pushed fact permanently invalid, and why?

Pure checks with no database access, returning the reason in plain words (shown to the
operator and supervisor) or None. A fact that fails here is recorded as `rejected` and
the high-water still advances, so one bad event never blocks a tablet's queue.
Odd-but-possible data (a 0/0 fix, a clock years off) is not invalid: it is flagged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from server.clock import parse_iso
from sync.protocol import EVENT_TYPES, FIX_BATCH, FIX_FIELDS

# Payload keys each event type must carry (docs/api.md, "Event payloads").
_REQUIRED_STRINGS: Final[Mapping[str, tuple[str, ...]]] = {
    "shift_started": ("assignment_id",),
    "shift_ended": ("assignment_id",),
    "segment_swept": ("assignment_id", "route_id", "segment_id", "source"),
}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_times(device_time: str | None, gps_time: str | None) -> str | None:
    for name, value in (("device_time", device_time), ("gps_time", gps_time)):
        if value is not None and parse_iso(value) is None:
            return f"{name} {value!r} is not an ISO 8601 timestamp"
    return None


def check_type(stream: str, type_: str) -> str | None:
    allowed = EVENT_TYPES if stream == "events" else frozenset({FIX_BATCH})
    if type_ not in allowed:
        return f"unknown event type {type_!r} for stream {stream!r}"
    return None


def check_event_payload(type_: str, payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return f"{type_} payload must be a JSON object"
    for key in _REQUIRED_STRINGS.get(type_, ()):
        value = payload.get(key)
        if not isinstance(value, str) or not value:
            return f"{type_} payload needs a non-empty string {key!r}"
    if type_ == "segment_swept":
        fraction = payload.get("covered_fraction")
        if not isinstance(fraction, int | float) or isinstance(fraction, bool):
            return "segment_swept payload needs a numeric 'covered_fraction'"
        if not 0.0 <= fraction <= 1.0:
            return "segment_swept payload needs 'covered_fraction' between 0 and 1"
    return None


def check_fix_batch(payload: Any, max_fixes: int) -> tuple[str | None, int, int]:
    """(reason or None, number of fixes, number of odd fixes) for a `fix_batch` payload."""
    if not isinstance(payload, dict):
        return "fix_batch payload must be a JSON object", 0, 0
    if payload.get("fields") != list(FIX_FIELDS):
        return f"fix_batch 'fields' must be {list(FIX_FIELDS)}", 0, 0
    fixes = payload.get("fixes")
    if not isinstance(fixes, list) or not fixes:
        return "fix_batch 'fixes' must be a non-empty list", 0, 0
    if len(fixes) > max_fixes:
        return f"fix_batch has {len(fixes)} fixes, at most {max_fixes} allowed", 0, 0
    width = len(FIX_FIELDS)
    odd = 0
    for i, fix in enumerate(fixes):
        if not isinstance(fix, list) or len(fix) != width:
            return f"fix {i} must be a list of {width} values", 0, 0
        if not all(v is None or (_is_number(v) and math.isfinite(v)) for v in fix):
            return f"fix {i} has a value that is neither a finite number nor null", 0, 0
        t_ms, lat, lon = fix[0], fix[1], fix[2]
        if t_ms is None or lat is None or lon is None:
            return f"fix {i} lacks t_ms, lat or lon", 0, 0
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0) or (lat == 0 and lon == 0):
            odd += 1
    return None, len(fixes), odd
