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
from typing import Any, Final

from server.dbapi import Connection
from server.metrics import _events, fact_time, feedback_items, segment_history
from server.payloads import number_or_none, stored_object, text_or_none

KINDS: Final = ("progress", "exceptions", "feedback")
# A spreadsheet runs a cell as a formula when its first character after any whitespace
# (spaces, tabs, CR, LF) is one of these; a leading tab or CR is itself a trigger.
_FORMULA_TRIGGERS: Final = frozenset("=+-@")
_FORMULA_STARTS: Final = frozenset("\t\r")
FORMATS: Final = ("csv", "geojson")


def _segment_geometry(conn: Connection) -> dict[tuple[str, str], Any]:
    return {
        (r["route_id"], r["segment_id"]): json.loads(r["coords_json"])
        for r in conn.execute("SELECT route_id, segment_id, coords_json FROM segments")
    }


def progress_rows(conn: Connection) -> list[dict[str, Any]]:
    rows = []
    for route in conn.execute("SELECT id FROM routes ORDER BY id").fetchall():
        for s in segment_history(conn, route["id"]):
            rows.append(
                {
                    "route_id": route["id"],
                    "segment_id": s["segment_id"],
                    "street": s["street"],
                    "length_m": s["length_m"],
                    "swept": s["swept_at"] is not None,
                    "swept_at": s["swept_at"],
                    "swept_by": s["swept_by"],
                    "passes": s["passes"],
                    "exceptions": len(s["exceptions"]),
                }
            )
    return rows


def exception_rows(conn: Connection) -> list[dict[str, Any]]:
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
