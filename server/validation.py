"""Is a pushed fact permanently invalid, and why?

Pure checks with no database access, returning the reason in plain words (shown to the
operator and supervisor) or None. A fact that fails here is recorded as `rejected` and
the high-water still advances, so one bad event never blocks a tablet's queue.
Odd-but-possible data (a 0/0 fix, a clock years off) is not invalid: it is flagged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from server.clock import parse_iso
from wire.protocol import EVENT_TYPES, FIX_BATCH, FixBatchError, decode_fix_batch

# Payload keys each event type must carry (docs/api.md, "Event payloads").
_REQUIRED_STRINGS: Final[Mapping[str, tuple[str, ...]]] = {
    "shift_started": ("assignment_id",),
    "shift_ended": ("assignment_id",),
    "segment_swept": ("assignment_id", "route_id", "segment_id", "source"),
    "exception": ("kind",),
    "note": ("text",),
    "message_ack": ("message_id",),
    "form_answer": ("form_id",),
    "storage_recovered": ("set_aside",),
}
SWEEP_SOURCES: Final = frozenset({"inferred", "sensed", "confirmed"})
SWEEP_SIDES: Final = frozenset({"left", "right", "both"})
MAX_TEXT: Final = 4000


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
    for key, value in payload.items():
        if isinstance(value, str) and len(value) > MAX_TEXT:
            return f"{type_} payload {key!r} is longer than {MAX_TEXT} characters"
    if type_ == "segment_swept":
        if payload["source"] not in SWEEP_SOURCES:
            return f"segment_swept 'source' must be one of {sorted(SWEEP_SOURCES)}"
        if payload.get("side") is not None and payload.get("side") not in SWEEP_SIDES:
            return f"segment_swept 'side' must be one of {sorted(SWEEP_SIDES)} or absent"
        fraction = payload.get("covered_fraction")
        if not isinstance(fraction, int | float) or isinstance(fraction, bool):
            return "segment_swept payload needs a numeric 'covered_fraction'"
        if not 0.0 <= fraction <= 1.0:
            return "segment_swept payload needs 'covered_fraction' between 0 and 1"
    return None


def check_fix_batch(payload: Any, max_fixes: int) -> tuple[str | None, int, int]:
    """(reason or None, number of fixes, number of odd fixes) for a compact `fix_batch`."""
    try:
        fixes = decode_fix_batch(payload)
    except FixBatchError as exc:
        return str(exc), 0, 0
    if len(fixes) > max_fixes:
        return f"fix_batch has {len(fixes)} fixes, at most {max_fixes} allowed", 0, 0
    odd = 0
    for fix in fixes:
        # decode_fix_batch guarantees lat and lon are present; `or 0.0` only maps 0 to 0.0.
        lat, lon = float(fix[1] or 0.0), float(fix[2] or 0.0)
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0) or (lat == 0 and lon == 0):
            odd += 1
    return None, len(fixes), odd
