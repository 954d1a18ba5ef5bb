"""What the exports add to the supervisor views' rows (issue 21, item 6): each segment's
swept curb sides and the city's rule that called its last sweep, and a place for every
exception — the one reported, else the middle of the segment it is about.

Kept apart from `server.export` so that module keeps one job (rows to CSV/GeoJSON).
Plain standard SQL only: the storage layer's adapter ports these queries.
"""

from __future__ import annotations

import json

from server.dbapi import Connection
from server.metrics import _events, fact_time
from server.payloads import stored_object, text_or_none


def swept_sides(conn: Connection) -> dict[tuple[str, str], str]:
    """(route, segment) -> the curb sides swept so far (`left`, `right` or `left,right`)."""
    return {
        (str(r["route_id"]), str(r["segment_id"])): str(r["sides"] or "")
        for r in conn.execute("SELECT route_id, segment_id, sides FROM segment_state")
    }


def last_rules(conn: Connection) -> dict[tuple[str, str], str]:
    """(route, segment) -> `profile / rule` of its latest applied sweep (as the tablet
    reported the rule that decided; empty when the tablet did not say)."""
    latest: dict[tuple[str, str], tuple[str, str]] = {}
    for row in _events(conn, ("segment_swept",)):
        payload = stored_object(row["payload_json"])
        key = (str(payload.get("route_id")), str(payload.get("segment_id")))
        when = fact_time(row)
        rule = " / ".join(
            x
            for x in (text_or_none(payload.get("profile")), text_or_none(payload.get("rule")))
            if x
        )
        if key not in latest or when >= latest[key][0]:
            latest[key] = (when, rule)
    return {key: rule for key, (_, rule) in latest.items()}


def segment_middles(conn: Connection) -> dict[tuple[str, str], tuple[float, float]]:
    """(route, segment) -> (lat, lon) of its middle vertex, where an exception without a
    reported position is put."""
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for r in conn.execute("SELECT route_id, segment_id, coords_json FROM segments"):
        coords = json.loads(r["coords_json"])
        lon, lat = coords[len(coords) // 2][:2]
        out[(str(r["route_id"]), str(r["segment_id"]))] = (float(lat), float(lon))
    return out
