"""Street evidence: everything the server knows about one segment, to answer a resident
who says "my street was not swept".

For each applied `segment_swept` fact: when (trusted fact time, and the tablet's claim
when it was flagged), which curb side, which vehicle and operator, how it was recorded
(sensed or inferred), the city's rule that decided (profile, rule, extent per side as
the tablet's coverage engine reported them) and the vehicle's speeds on the segment
around that time (fixes within `NEAR_M` of the segment in the `BEFORE_S` before the
sweep was recorded). Then every exception and "not swept" report on the segment.

Plain standard SQL only: the storage layer's adapter ports these queries.
"""

from __future__ import annotations

import itertools
import json
import math
import statistics
from datetime import datetime
from typing import Any, Final

from server.coverage_profile import profile_value
from server.dbapi import Connection
from server.metrics import _events, claimed, fact_time
from server.payloads import number_or_none, stored_object, stored_payload, text_or_none
from wire.protocol import FixBatchError, decode_fix_batch

NEAR_M: Final = 25.0
BEFORE_S: Final = 600.0
AFTER_S: Final = 30.0
_M_PER_DEG: Final = 111_320.0


def _xy(lon: float, lat: float, lat0: float) -> tuple[float, float]:
    return lon * _M_PER_DEG * math.cos(math.radians(lat0)), lat * _M_PER_DEG


def distance_to_line_m(lon: float, lat: float, coords: list[list[float]]) -> float:
    """Metres from a point to a (lon, lat) polyline (local flat projection: street scale)."""
    px, py = _xy(lon, lat, lat)
    best = math.inf
    points = [_xy(float(c[0]), float(c[1]), lat) for c in coords]
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
        best = min(best, math.hypot(px - (ax + t * dx), py - (ay + t * dy)))
    return best


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _speeds(
    conn: Connection, device_id: str, when: str, coords: list[list[float]]
) -> dict[str, Any]:
    """The device's speeds (km/h) on the segment in the minutes before `when`."""
    end = _epoch(when)
    start = end - BEFORE_S
    kmh: list[float] = []
    for row in conn.execute(
        "SELECT payload_json FROM facts WHERE stream = 'gps' AND status = 'applied'"
        " AND device_id = ?",
        (device_id,),
    ):
        try:
            fixes = decode_fix_batch(stored_payload(row["payload_json"]))
        except FixBatchError:
            continue
        for fix in fixes:
            t, lat, lon, speed = float(fix[0] or 0) / 1000, fix[1], fix[2], fix[3]
            if lat is None or lon is None or speed is None or not start <= t <= end + AFTER_S:
                continue
            if distance_to_line_m(float(lon), float(lat), coords) <= NEAR_M:
                kmh.append(float(speed) * 3.6)
    if not kmh:
        return {"fixes": 0, "min_kmh": None, "median_kmh": None, "max_kmh": None}
    return {
        "fixes": len(kmh),
        "min_kmh": round(min(kmh), 1),
        "median_kmh": round(statistics.median(kmh), 1),
        "max_kmh": round(max(kmh), 1),
    }


def _vehicles(conn: Connection) -> tuple[dict[str, str], dict[str, str]]:
    """Vehicle names by assignment id and by device id."""
    by_assignment = {
        str(r["id"]): str(r["vehicle"]) for r in conn.execute("SELECT id, vehicle FROM assignments")
    }
    by_device = {
        str(r["device_id"]): str(r["vehicle"])
        for r in conn.execute("SELECT device_id, vehicle FROM devices")
    }
    return by_assignment, by_device


def segment_evidence(conn: Connection, route_id: str, segment_id: str) -> dict[str, Any] | None:
    """The segment's whole record (None when the route has no such segment)."""
    seg = conn.execute(
        "SELECT s.street, s.length_m, s.coords_json, r.name FROM segments s"
        " JOIN routes r ON r.id = s.route_id WHERE s.route_id = ? AND s.segment_id = ?",
        (route_id, segment_id),
    ).fetchone()
    if seg is None:
        return None
    coords = json.loads(seg["coords_json"])
    state = conn.execute(
        "SELECT swept_at, swept_by, passes, sides, last_source FROM segment_state"
        " WHERE route_id = ? AND segment_id = ?",
        (route_id, segment_id),
    ).fetchone()
    by_assignment, by_device = _vehicles(conn)
    sweeps: list[dict[str, Any]] = []
    exceptions: list[dict[str, Any]] = []
    for row in _events(conn, ("segment_swept", "exception", "segment_not_swept")):
        payload = stored_object(row["payload_json"])
        if payload.get("route_id") != route_id or payload.get("segment_id") != segment_id:
            continue
        when = fact_time(row)
        assignment_id = text_or_none(payload.get("assignment_id"))
        base = {
            "time": when,
            "claimed_time": claimed(row),
            "username": row["username"],
            "device_id": row["device_id"],
            "vehicle": by_assignment.get(assignment_id or "")
            or by_device.get(str(row["device_id"])),
            "side": text_or_none(payload.get("side")),
        }
        if row["type"] == "segment_swept":
            extent = payload.get("extent_pct_by_side")
            sweeps.append(
                {
                    **base,
                    "source": text_or_none(payload.get("source")),
                    "covered_fraction": number_or_none(payload.get("covered_fraction")),
                    "profile": text_or_none(payload.get("profile")),
                    "rule": text_or_none(payload.get("rule")),
                    "extent_pct_by_side": {
                        str(k): v for k, v in extent.items() if isinstance(v, int | float)
                    }
                    if isinstance(extent, dict)
                    else {},
                    "speeds": _speeds(conn, str(row["device_id"]), when, coords),
                }
            )
        else:
            exceptions.append(
                {
                    **base,
                    "type": row["type"],
                    "kind": text_or_none(payload.get("kind")),
                    "reason": text_or_none(payload.get("reason")),
                    "note": text_or_none(payload.get("note")),
                    "lat": number_or_none(payload.get("lat")),
                    "lon": number_or_none(payload.get("lon")),
                }
            )
    last_by_side: dict[str, str | None] = {"left": None, "right": None}
    for sweep in sweeps:
        for side in ("left", "right") if sweep["side"] in (None, "both") else (sweep["side"],):
            if side in last_by_side and sweep["time"] > (last_by_side[side] or ""):
                last_by_side[side] = sweep["time"]
    return {
        "route_id": route_id,
        "route_name": seg["name"],
        "segment_id": segment_id,
        "street": seg["street"],
        "length_m": round(float(seg["length_m"]), 1),
        "coordinates": coords,
        "coverage_profile": profile_value(conn),
        "passes": int(state["passes"]) if state is not None else 0,
        "sides_swept": [s for s in str(state["sides"]).split(",") if s] if state else [],
        "last_swept_by_side": last_by_side,
        "sweeps": sweeps,
        "exceptions": exceptions,
    }
