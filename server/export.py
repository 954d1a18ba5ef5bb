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
from collections import Counter
from typing import Any, Final

from server.dbapi import Connection
from server.export_details import last_rules, segment_middles, swept_sides
from server.metrics import _events, fact_time, feedback_items
from server.payloads import number_or_none, stored_object, text_or_none

KINDS: Final = ("progress", "exceptions", "feedback")
# A spreadsheet runs a cell as a formula when its first character after any whitespace
# (spaces, tabs, CR, LF) is one of these; a leading tab or CR is itself a trigger.
_FORMULA_TRIGGERS: Final = frozenset("=+-@")
_FORMULA_STARTS: Final = frozenset("\t\r")
FORMATS: Final = ("csv", "geojson")


# Characters of a stored coordinate array as this server writes it (compact JSON numbers).
_COORD_CHARS: Final = frozenset("0123456789-+.eE[],")


def _coordinates_text(stored: str) -> str:
    """The stored coordinates as `json.dumps` writes them in the export.

    The server stores them compact (`json.dumps(..., separators=(",", ":"))` of floats),
    which differs from the export's default separators only by the space after each
    comma: respacing the text gives the same bytes without parsing 5,000 segments'
    coordinates and writing them out again. Anything else is parsed and written."""
    if _COORD_CHARS.issuperset(stored):
        return stored.replace(",", ", ")
    return json.dumps(json.loads(stored))


def _progress_geojson(conn: Connection, rows: list[dict[str, Any]]) -> str:
    """The progress rows as a FeatureCollection of LineStrings, byte for byte what
    `json.dumps` of the whole collection writes, assembled around the stored geometry."""
    geometry = {
        (r["route_id"], r["segment_id"]): r["coords_json"]
        for r in conn.execute("SELECT route_id, segment_id, coords_json FROM segments")
    }
    features = []
    for row in rows:
        stored = geometry.get((row["route_id"], row["segment_id"]))
        coordinates = "null" if stored is None else _coordinates_text(stored)
        features.append(
            '{"type": "Feature", "geometry": {"type": "LineString", "coordinates": '
            f'{coordinates}}}, "properties": {json.dumps(row, ensure_ascii=False)}}}'
        )
    return '{"type": "FeatureCollection", "features": [' + ", ".join(features) + "]}"


def _exception_counts(conn: Connection) -> Counter[tuple[str, str]]:
    """Applied exceptions and "not swept" reports per (route, segment), in one pass.

    Counted as the route history lists them: the payload's own route id and segment id
    (both text); a payload that is not an object counts nowhere."""
    counts: Counter[tuple[str, str]] = Counter()
    for row in conn.execute(
        "SELECT payload_json FROM facts WHERE stream = 'events' AND status = 'applied'"
        " AND type IN ('exception', 'segment_not_swept')"
    ):
        payload = stored_object(row[0])
        route_id = payload.get("route_id")
        segment_id = text_or_none(payload.get("segment_id"))
        if isinstance(route_id, str) and segment_id is not None:
            counts[(route_id, segment_id)] += 1
    return counts


def progress_rows(conn: Connection) -> list[dict[str, Any]]:
    """Every segment of every route (routes by id, segments in route order) with its
    sweep state and exception count: what the route history shows, read once for all
    routes rather than once per route (38 routes re-read every fact 38 times)."""
    counts = _exception_counts(conn)
    # (swept_at, swept_by, passes) per segment; rows unpacked by position (reading a
    # sqlite3.Row by name is the slow part of a 5,000-row loop).
    state = {
        (route_id, segment_id): (swept_at, swept_by, passes)
        for route_id, segment_id, swept_at, swept_by, passes in conn.execute(
            "SELECT route_id, segment_id, swept_at, swept_by, passes FROM segment_state"
        )
    }
    unswept = (None, None, 0)
    rows = []
    sides, rules = swept_sides(conn), last_rules(conn)
    for route_id, segment_id, street, length_m in conn.execute(
        "SELECT s.route_id, s.segment_id, s.street, s.length_m FROM routes r"
        " JOIN segments s ON s.route_id = r.id ORDER BY r.id, s.ord"
    ):
        key = (route_id, segment_id)
        swept_at, swept_by, passes = state.get(key, unswept)
        rows.append(
            {
                "route_id": route_id,
                "segment_id": segment_id,
                "street": street,
                "length_m": length_m,
                "swept": key in state,
                "swept_at": swept_at,
                "swept_by": swept_by,
                "sides": sides.get(key, ""),
                "rule": rules.get(key, ""),
                "passes": passes,
                "exceptions": counts[key],
            }
        )
    return rows


def exception_rows(conn: Connection) -> list[dict[str, Any]]:
    """Every exception and every "not swept" report (kind `not swept: <reason>`); one
    without a reported position is placed at its segment's middle (`placed`: segment)."""
    rows = []
    middles = segment_middles(conn)
    for row in _events(conn, ("exception", "segment_not_swept")):
        payload = stored_object(row["payload_json"])
        lat, lon = number_or_none(payload.get("lat")), number_or_none(payload.get("lon"))
        placed = "reported"
        key = (str(payload.get("route_id")), str(payload.get("segment_id")))
        if (lat is None or lon is None) and key in middles:
            (lat, lon), placed = middles[key], "segment"
        kind = text_or_none(payload.get("kind"))
        if row["type"] == "segment_not_swept":
            kind = f"not swept: {text_or_none(payload.get('reason'))}"
        rows.append(
            {
                "position": row["position"],
                "time": fact_time(row),
                "username": row["username"],
                "device_id": row["device_id"],
                "kind": kind,
                **{k: text_or_none(payload.get(k)) for k in ("side", "route_id", "segment_id")},
                "lat": lat,
                "lon": lon,
                "placed": placed if lat is not None else None,
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


def feedback_rows(conn: Connection) -> list[dict[str, Any]]:
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
        "sides",
        "rule",
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
        "placed",
        "note",
    ],
    "feedback": [*_FEEDBACK_CONTEXT, "question_id", "question", "answer"],
}


def export(conn: Connection, kind: str, fmt: str) -> str:
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
    if kind == "progress":
        return _progress_geojson(conn, rows)
    features = []
    for row in rows:
        geom: dict[str, Any] | None
        if isinstance(row.get("lat"), int | float) and isinstance(row.get("lon"), int | float):
            geom = {"type": "Point", "coordinates": [row["lon"], row["lat"]]}
        else:
            geom = None
        features.append({"type": "Feature", "geometry": geom, "properties": row})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
