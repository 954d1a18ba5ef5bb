"""The daily pilot report's figures for one day: completion by route and by district,
curb-km per hour, exceptions by type (with where they were), operator feedback and
survey ratings, and how fresh each tablet's data was.

A day is a UTC calendar day of the facts' trusted times, as in `server.metrics`, so the
report and the metrics charts agree. Curb-km is swept segment length (as the metrics).
Freshness is measured per tablet as the delay from the tablet's clock to the server's
arrival time for the day's events (median and longest), with the last arrival.

Plain standard SQL only: the storage layer's adapter ports these queries.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from server.dbapi import Connection
from server.equity import _contains  # the same point-in-area test as the equity view
from server.metrics import _events, fact_time, feedback_items
from server.payloads import number_or_none, stored_object, text_or_none


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _segments(conn: Connection) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (r["route_id"], r["segment_id"]): {
            "length_m": float(r["length_m"]),
            "coords": json.loads(r["coords_json"]),
            "street": r["street"],
        }
        for r in conn.execute(
            "SELECT route_id, segment_id, street, length_m, coords_json FROM segments"
        )
    }


def _districts(
    conn: Connection,
    segments: dict[tuple[str, str], dict[str, Any]],
    swept: set[tuple[str, str]],
) -> list[dict[str, Any]]:
    out = []
    for row in conn.execute("SELECT id, name, geometry_json FROM areas ORDER BY name"):
        polygons = json.loads(row["geometry_json"])["coordinates"]
        total = done = 0.0
        for key, seg in segments.items():
            x, y = seg["coords"][len(seg["coords"]) // 2][:2]
            if _contains(polygons, x, y):
                total += seg["length_m"]
                done += seg["length_m"] if key in swept else 0.0
        if total:
            out.append(
                {
                    "area_id": row["id"],
                    "name": row["name"],
                    "length_m": round(total, 1),
                    "swept_m": round(done, 1),
                    "pct": round(100 * done / total, 1),
                }
            )
    return out


def _freshness(conn: Connection, day: str) -> list[dict[str, Any]]:
    delays: dict[str, list[float]] = defaultdict(list)
    last: dict[str, str] = {}
    count: Counter[str] = Counter()
    users: dict[str, str] = {}
    for row in conn.execute(
        "SELECT device_id, username, received_at, device_time FROM facts"
        " WHERE received_at >= ? AND received_at < ?",
        (day, day + "T99"),
    ):
        device = str(row["device_id"])
        count[device] += 1
        users[device] = str(row["username"])
        last[device] = max(last.get(device, ""), str(row["received_at"]))
        if row["device_time"]:
            delays[device].append(max(0.0, _epoch(row["received_at"]) - _epoch(row["device_time"])))
    vehicles = {
        str(r["device_id"]): str(r["vehicle"])
        for r in conn.execute("SELECT device_id, vehicle FROM devices")
    }
    return [
        {
            "device_id": device,
            "vehicle": vehicles.get(device),
            "username": users[device],
            "facts": count[device],
            "last_received_at": last[device],
            "median_delay_s": round(statistics.median(delays[device]), 1)
            if delays[device]
            else None,
            "max_delay_s": round(max(delays[device]), 1) if delays[device] else None,
        }
        for device in sorted(count)
    ]


def daily_report(conn: Connection, day: str) -> dict[str, Any]:
    """Everything the one-page report shows for `day` (YYYY-MM-DD)."""
    segments = _segments(conn)
    swept: set[tuple[str, str]] = set()
    per_hour: Counter[str] = Counter()
    exceptions: list[dict[str, Any]] = []
    for row in _events(conn, ("segment_swept", "exception", "segment_not_swept")):
        when = fact_time(row)
        if when[:10] != day:
            continue
        payload = stored_object(row["payload_json"])
        key = (str(payload.get("route_id")), str(payload.get("segment_id")))
        if row["type"] == "segment_swept":
            if key in segments and key not in swept:
                per_hour[when[11:13]] += segments[key]["length_m"] / 1000
            swept.add(key)
            continue
        lat, lon = number_or_none(payload.get("lat")), number_or_none(payload.get("lon"))
        if (lat is None or lon is None) and key in segments:
            coords = segments[key]["coords"]
            lon, lat = coords[len(coords) // 2][:2]
        kind = text_or_none(payload.get("kind"))
        if row["type"] == "segment_not_swept":
            kind = f"not swept: {text_or_none(payload.get('reason'))}"
        exceptions.append({"kind": kind or "unknown", "time": when, "lat": lat, "lon": lon})
    routes: list[dict[str, Any]] = []
    for row in conn.execute(
        "SELECT a.route_id, r.name, r.length_m, a.operator FROM assignments a"
        " JOIN routes r ON r.id = a.route_id WHERE a.date = ? ORDER BY r.name, a.operator",
        (day,),
    ):
        entry = next((r for r in routes if r["route_id"] == row["route_id"]), None)
        if entry is None:
            done = sum(
                s["length_m"] for k, s in segments.items() if k[0] == row["route_id"] and k in swept
            )
            length = float(row["length_m"])
            entry = {
                "route_id": row["route_id"],
                "name": row["name"],
                "length_m": round(length, 1),
                "swept_m": round(done, 1),
                "pct": round(100 * done / length, 1) if length else 0.0,
                "operators": [],
            }
            routes.append(entry)
        entry["operators"].append(row["operator"])
    feedback = feedback_items(conn, since=day, until=day)
    ratings: dict[str, list[float]] = defaultdict(list)
    for item in feedback:
        for answer in item["answers"]:
            if answer["type"] == "rating" and isinstance(answer["value"], int | float):
                ratings[str(answer["label"])].append(float(answer["value"]))
    comments = [
        {"time": i["time"], "username": i["username"], "text": i["text"]}
        for i in feedback
        if i["type"] == "note" and i["text"]
    ] + [
        {"time": i["time"], "username": i["username"], "text": str(a["value"])}
        for i in feedback
        for a in i["answers"]
        if a["type"] == "short_text" and a["value"]
    ]
    return {
        "date": day,
        "routes": routes,
        "districts": _districts(conn, segments, swept),
        "curb_km_total": round(sum(per_hour.values()), 3),
        "curb_km_by_hour": {h: round(v, 3) for h, v in sorted(per_hour.items())},
        "exceptions_by_kind": dict(sorted(Counter(e["kind"] for e in exceptions).items())),
        "exceptions": exceptions,
        "feedback_count": len(feedback),
        "ratings": [
            {"label": label, "mean": round(statistics.mean(v), 2), "count": len(v)}
            for label, v in sorted(ratings.items())
        ],
        "comments": sorted(comments, key=lambda c: str(c["time"])),
        "freshness": _freshness(conn, day),
        "route_lines": [
            {"coords": s["coords"], "swept": k in swept, "street": s["street"]}
            for k, s in segments.items()
            if any(r["route_id"] == k[0] for r in routes)
        ],
    }
