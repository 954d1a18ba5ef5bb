"""The public service data: each street segment's last-swept date per curb side, as
GeoJSON, for the city's open-data list of APIs.

What it leaves out is the point: no vehicle positions, no operator or device, no fact
times finer than a day, and nothing newer than `delay_hours` (a sweep shows up only
once it is that old, so the feed never says where a sweeper is now). A sweep counts
at its trusted fact time (`server.fact_time`); a sweep of both sides (or of a segment
whose side was not told) dates both. Days are the server's local calendar days.

Plain standard SQL only: the storage layer's adapter ports these queries.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from server.clock import iso_z
from server.dbapi import Connection
from server.fact_time import trusted_time
from server.payloads import stored_object, text_or_none

SIDES = ("left", "right")


def _sides(value: object) -> tuple[str, ...]:
    return (str(value),) if value in SIDES else SIDES


def _local_day(moment: str) -> str:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone().date().isoformat()


def last_swept_by_side(conn: Connection, cutoff: datetime) -> dict[tuple[str, str], dict[str, str]]:
    """(route, segment) -> {side: latest trusted sweep time (ISO)} for sweeps before `cutoff`."""
    limit = iso_z(cutoff)
    out: dict[tuple[str, str], dict[str, str]] = {}
    for row in conn.execute(
        "SELECT payload_json, gps_time, device_time, received_at, flags FROM facts"
        " WHERE stream = 'events' AND type = 'segment_swept' AND status = 'applied'"
    ):
        when = trusted_time(row["gps_time"], row["device_time"], row["received_at"], row["flags"])
        if when > limit:
            continue
        payload = stored_object(row["payload_json"])
        route_id = text_or_none(payload.get("route_id"))
        segment_id = text_or_none(payload.get("segment_id"))
        if route_id is None or segment_id is None:
            continue
        sides = out.setdefault((route_id, segment_id), {})
        for side in _sides(payload.get("side")):
            if when > sides.get(side, ""):
                sides[side] = when
    return out


def public_streets(conn: Connection, now: datetime, delay_hours: float) -> dict[str, Any]:
    """The feed: a FeatureCollection of every segment with `last_swept` per side."""
    cutoff = now - timedelta(hours=delay_hours)
    swept = last_swept_by_side(conn, cutoff)
    features = []
    for row in conn.execute(
        "SELECT route_id, segment_id, street, length_m, coords_json FROM segments"
        " ORDER BY route_id, ord"
    ):
        sides = swept.get((row["route_id"], row["segment_id"]), {})
        features.append(
            {
                "type": "Feature",
                "id": f"{row['route_id']}/{row['segment_id']}",
                "geometry": {"type": "LineString", "coordinates": json.loads(row["coords_json"])},
                "properties": {
                    "street": row["street"],
                    "length_m": round(float(row["length_m"]), 1),
                    "last_swept": {
                        side: _local_day(sides[side]) if side in sides else None for side in SIDES
                    },
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "as_of": iso_z(cutoff),
        "delay_hours": delay_hours,
        "features": features,
    }
