"""The `events` stream's payloads, built in one place so the field names the server reads
(exports, evidence, metrics) are spelled once on the tablet's side.

Pure functions of plain values: this package imports nothing of ours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

SEGMENT_SWEPT: Final = "segment_swept"
EXCEPTION: Final = "exception"
SEGMENT_NOT_SWEPT: Final = "segment_not_swept"


def segment_swept(
    *,
    assignment_id: str,
    route_id: str,
    segment_id: str,
    covered_fraction: float,
    sensed: bool,
    profile: str,
    rule: str,
    extent_pct_by_side: Mapping[str, float],
    sides_done: Sequence[str],
) -> dict[str, object]:
    """A segment turned swept, with the city's rule that called it so and what it saw."""
    payload: dict[str, object] = {
        "assignment_id": assignment_id,
        "route_id": route_id,
        "segment_id": segment_id,
        "covered_fraction": round(covered_fraction, 3),
        "source": "sensed" if sensed else "inferred",
        "profile": profile,
        "rule": rule,
        "extent_pct_by_side": extent_pct_by_side,
    }
    if sides_done:
        payload["side"] = sides_done[0] if len(sides_done) == 1 else "both"
    return payload


def exception(
    *,
    kind: str,
    side: str,
    assignment_id: str,
    route_id: str,
    segment_id: str | None,
    position: tuple[float, float, float] | None,
    note: str | None,
) -> dict[str, object]:
    """Something kept the operator from sweeping here; `position` is (lat, lon, km/h)."""
    lat, lon, speed_kmh = position if position else (None, None, None)
    payload: dict[str, object] = {
        "kind": kind,
        "side": side,
        "assignment_id": assignment_id,
        "route_id": route_id,
        "segment_id": segment_id,
        "lat": lat,
        "lon": lon,
        "speed_kmh": round(speed_kmh, 1) if speed_kmh is not None else None,
    }
    if note:
        payload["note"] = note
    return payload
