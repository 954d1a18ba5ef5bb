"""Exports for the pilot: progress, exceptions and feedback as CSV or GeoJSON.

Built from the same functions the supervisor views read, so an export says exactly what
the screens show. CSV cells that a spreadsheet would run as a formula (`=`, `+`, `-`,
`@` after any leading whitespace, or a leading tab or CR) are prefixed with an
apostrophe, and cells holding a line break are quoted: operators' notes are untrusted.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import Counter
from typing import Any, Final

from server.metrics import _events, fact_time, feedback_items
from server.payloads import number_or_none, stored_object, text_or_none

KINDS: Final = ("progress", "exceptions", "feedback")
# A spreadsheet runs a cell as a formula when its first character after any whitespace
# (spaces, tabs, CR, LF) is one of these; a leading tab or CR is itself a trigger.
_FORMULA_TRIGGERS: Final = frozenset("=+-@")
_FORMULA_STARTS: Final = frozenset("\t\r")
FORMATS: Final = ("csv", "geojson")


def _segment_geometry(conn: sqlite3.Connection) -> dict[tuple[str, str], Any]:
    return {
        (r["route_id"], r["segment_id"]): json.loads(r["coords_json"])
        for r in conn.execute("SELECT route_id, segment_id, coords_json FROM segments")
    }


def _exception_counts(conn: sqlite3.Connection) -> Counter[tuple[str, str]]:
    """Applied exceptions and "not swept" reports per (route, segment), in one pass.

    Counted as the route history lists them: the payload's own route id and segment id
    (both text); a payload that is not an object counts nowhere."""
    counts: Counter[tuple[str, str]] = Counter()
    for row in conn.execute(
        "SELECT payload_json FROM facts WHERE stream = 'events' AND status = 'applied'"
        " AND type IN ('exception', 'segment_not_swept')"
    ):
        payload = stored_object(row["payload_json"])
        route_id = payload.get("route_id")
        segment_id = text_or_none(payload.get("segment_id"))
        if isinstance(route_id, str) and segment_id is not None:
            counts[(route_id, segment_id)] += 1
    return counts


def progress_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every segment of every route (routes by id, segments in route order) with its
    sweep state and exception count: what the route history shows, read once for all
    routes rather than once per route (38 routes re-read every fact 38 times)."""
    counts = _exception_counts(conn)
    state = {
        (r["route_id"], r["segment_id"]): r
        for r in conn.execute(
            "SELECT route_id, segment_id, swept_at, swept_by, passes FROM segment_state"
        )
    }
    rows = []
    for s in conn.execute(
        "SELECT s.route_id, s.segment_id, s.street, s.length_m FROM routes r"
        " JOIN segments s ON s.route_id = r.id ORDER BY r.id, s.ord"
    ):
        key = (s["route_id"], s["segment_id"])
        swept = state.get(key)
        rows.append(
            {
                "route_id": s["route_id"],
                "segment_id": s["segment_id"],
                "street": s["street"],
                "length_m": s["length_m"],
                "swept": swept is not None,
                "swept_at": swept["swept_at"] if swept else None,
                "swept_by": swept["swept_by"] if swept else None,
                "passes": swept["passes"] if swept else 0,
                "exceptions": counts[key],
            }
        )
    return rows


def exception_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = []
    for row in _events(conn, ("exception",)):
        payload = stored_object(row["payload_json"])
        rows.append(
            {
                "position": row["position"],
                "time": fact_time(row),
                "username": row["username"],
                "device_id": row["device_id"],
                **{
                    k: text_or_none(payload.get(k))
                    for k in ("kind", "side", "route_id", "segment_id")
                },
                "lat": number_or_none(payload.get("lat")),
                "lon": number_or_none(payload.get("lon")),
                "note": text_or_none(payload.get("note")),
            }
        )
    return rows


# Where and when a piece of feedback was given: repeated on each of its answer rows.
_FEEDBACK_CONTEXT: Final = (
    "position",
    "type",
    "status",
    "reason",
    "time",
    "username",
    "device_id",
    "route_id",
    "segment_id",
    "lat",
    "lon",
    "form_id",
    "form_version",
)


def feedback_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """One row per answered question (and one per free comment)."""
    rows = []
    for item in feedback_items(conn):
        base = {k: item[k] for k in _FEEDBACK_CONTEXT}
        if item["type"] == "note":
            rows.append({**base, "question_id": None, "question": None, "answer": item["text"]})
        for answer in item["answers"]:
            value = answer["value"]
            rows.append(
                {
                    **base,
                    "question_id": answer["question_id"],
                    "question": answer["label"],
                    "answer": "; ".join(value) if isinstance(value, list) else value,
                }
            )
    return rows


def _safe(value: object) -> object:
    if isinstance(value, str) and (
        value[:1] in _FORMULA_STARTS or value.lstrip()[:1] in _FORMULA_TRIGGERS
    ):
        return "'" + value
    return "" if value is None else value


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """RFC 4180 CSV: CRLF line ends, so the writer quotes every cell holding a CR or an
    LF (with a bare LF as the line end, a lone CR went out unquoted and a spreadsheet
    started a new row there)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_safe(row.get(c)) for c in columns])
    return out.getvalue()


_COLUMNS: Final = {
    "progress": [
        "route_id",
        "segment_id",
        "street",
        "length_m",
        "swept",
        "swept_at",
        "swept_by",
        "passes",
        "exceptions",
    ],
    "exceptions": [
        "position",
        "time",
        "username",
        "device_id",
        "kind",
        "side",
        "route_id",
        "segment_id",
        "lat",
        "lon",
        "note",
    ],
    "feedback": [*_FEEDBACK_CONTEXT, "question_id", "question", "answer"],
}


def export(conn: sqlite3.Connection, kind: str, fmt: str) -> str:
    """The export as text: CSV, or a GeoJSON FeatureCollection (segments as LineStrings,
    exceptions and feedback as Points, or no geometry where no position was recorded)."""
    if kind == "progress":
        rows = progress_rows(conn)
    elif kind == "exceptions":
        rows = exception_rows(conn)
    elif kind == "feedback":
        rows = feedback_rows(conn) if fmt == "csv" else feedback_items(conn)
    else:
        raise ValueError(f"unknown export {kind!r}")
    if fmt == "csv":
        return to_csv(rows, _COLUMNS[kind])
    geometry = _segment_geometry(conn) if kind == "progress" else {}
    features = []
    for row in rows:
        if kind == "progress":
            coords = geometry.get((row["route_id"], row["segment_id"]))
            geom: dict[str, Any] | None = {"type": "LineString", "coordinates": coords}
        elif isinstance(row.get("lat"), int | float) and isinstance(row.get("lon"), int | float):
            geom = {"type": "Point", "coordinates": [row["lon"], row["lat"]]}
        else:
            geom = None
        features.append({"type": "Feature", "geometry": geom, "properties": row})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
