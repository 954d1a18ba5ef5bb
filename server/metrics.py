"""What the supervisor reads: route progress, per-segment history, the feedback inbox
and the pilot metrics (completion per day, curb-km per sweeping hour, speed
distribution, exceptions by type, survey ratings over time).

Everything is computed from the stored facts and plans on request (pilot scale: a few
vehicles, weeks of data). Fact times are the fact's GPS time, else its device time,
else when it arrived, and the arrival time when the claim was flagged implausible
(`server.fact_time`); days are UTC calendar days of that time. Stored payloads are read
through `server.payloads`, so a row no check would accept today is skipped or shown as
"unreadable", never a failed page.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from server.dbapi import Connection, Row
from server.fact_time import is_flagged, trusted_time
from server.forms import get_form
from server.payloads import number_or_none, stored_object, stored_payload, text_or_none
from wire.protocol import FixBatchError, decode_fix_batch

SPEED_BIN_KMH: Final = 2
SPEED_BINS: Final = 20  # 0–40 km/h, the last bin holds everything above
# Consecutive fixes further apart than this are not one stretch of sweeping time.
MAX_FIX_GAP_S: Final = 120
FEEDBACK_TYPES: Final = ("form_answer", "note")


def fact_time(row: Row) -> str:
    return trusted_time(row["gps_time"], row["device_time"], row["received_at"], row["flags"])


def claimed(row: Row) -> str | None:
    """The time the tablet claimed, when it was too far off to be used (else None)."""
    return str(row["gps_time"] or row["device_time"]) if is_flagged(row["flags"]) else None


def route_progress(conn: Connection, day: str | None = None) -> list[dict[str, Any]]:
    """Per route: length, swept length and segments (swept on or after `day`, if given),
    and the operators assigned on `day`."""
    operators: dict[str, list[str]] = defaultdict(list)
    if day is not None:
        for row in conn.execute(
            "SELECT route_id, operator FROM assignments WHERE date = ? ORDER BY operator", (day,)
        ):
            operators[row["route_id"]].append(row["operator"])
    since = day or ""
    out = []
    for route in conn.execute("SELECT id, name, length_m FROM routes ORDER BY id").fetchall():
        if day is not None and route["id"] not in operators:
            continue
        row = conn.execute(
            "SELECT COUNT(*) AS n, COALESCE(SUM(sg.length_m), 0) AS m,"
            " (SELECT COUNT(*) FROM segments WHERE route_id = ?) AS total"
            " FROM segment_state st JOIN segments sg ON sg.route_id = st.route_id"
            " AND sg.segment_id = st.segment_id WHERE st.route_id = ? AND st.swept_at >= ?",
            (route["id"], route["id"], since),
        ).fetchone()
        length = float(route["length_m"])
        swept = round(float(row["m"]), 1)
        out.append(
            {
                "route_id": route["id"],
                "name": route["name"],
                "length_m": length,
                "swept_m": swept,
                "pct": round(100 * swept / length, 1) if length else 0.0,
                "segments": int(row["total"]),
                "segments_swept": int(row["n"]),
                "operators": operators.get(route["id"], []),
            }
        )
    return out


def _events(
    conn: Connection, types: tuple[str, ...], *, applied_only: bool = True
) -> Iterator[Row]:
    marks = ",".join("?" * len(types))
    sql = (
        "SELECT rowid AS position, type, status, reason, username, device_id, gps_time,"
        " device_time, received_at, payload_json, flags FROM facts"
        f" WHERE stream = 'events' AND type IN ({marks})"
    )
    if applied_only:
        sql += " AND status = 'applied'"
    yield from conn.execute(sql + " ORDER BY rowid", types)


def segment_history(conn: Connection, route_id: str) -> list[dict[str, Any]]:
    """Every segment of the route with each sweep (when, by whom, how) and exception."""
    segments: dict[str, dict[str, Any]] = {}
    for row in conn.execute(
        "SELECT segment_id, street, length_m FROM segments WHERE route_id = ? ORDER BY ord",
        (route_id,),
    ):
        segments[row["segment_id"]] = {
            "segment_id": row["segment_id"],
            "street": row["street"],
            "length_m": row["length_m"],
            "passes": 0,
            "swept_at": None,
            "swept_by": None,
            "sweeps": [],
            "exceptions": [],
        }
    for row in conn.execute(
        "SELECT segment_id, swept_at, swept_by, passes FROM segment_state WHERE route_id = ?",
        (route_id,),
    ):
        if row["segment_id"] in segments:
            segments[row["segment_id"]].update(
                passes=row["passes"], swept_at=row["swept_at"], swept_by=row["swept_by"]
            )
    for row in _events(conn, ("segment_swept", "exception", "segment_not_swept")):
        payload = stored_object(row["payload_json"])
        segment_id = text_or_none(payload.get("segment_id"))
        if payload.get("route_id") != route_id or segment_id not in segments:
            continue
        entry = {"time": fact_time(row), "claimed_time": claimed(row), "username": row["username"]}
        target = segments[segment_id]
        if row["type"] == "segment_swept":
            target["sweeps"].append(
                {
                    **entry,
                    "source": text_or_none(payload.get("source")),
                    "side": text_or_none(payload.get("side")),
                }
            )
        else:
            kind = text_or_none(payload.get("kind")) or (
                f"not swept: {text_or_none(payload.get('reason'))}"
            )
            note = text_or_none(payload.get("note"))
            target["exceptions"].append({**entry, "kind": kind, "note": note})
    return list(segments.values())


def _route_of(conn: Connection, payload: dict[str, Any]) -> str | None:
    if isinstance(payload.get("route_id"), str):
        return str(payload["route_id"])
    assignment_id = payload.get("assignment_id")
    if not isinstance(assignment_id, str):
        return None
    row = conn.execute("SELECT route_id FROM assignments WHERE id = ?", (assignment_id,)).fetchone()
    return None if row is None else str(row[0])


def feedback_items(
    conn: Connection,
    *,
    operator: str | None = None,
    route_id: str | None = None,
    form_id: str | None = None,
    question: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[dict[str, Any]]:
    """Form answers and free comments (notes), oldest first, with time, place, segment.

    Rejected form answers are listed too (with their reason): nothing is lost."""
    forms: dict[tuple[str, int], dict[str, Any] | None] = {}
    out = []
    for row in _events(conn, FEEDBACK_TYPES, applied_only=False):
        if row["type"] == "note" and row["status"] != "applied":
            continue
        when = fact_time(row)
        if operator is not None and row["username"] != operator:
            continue
        if since is not None and when[:10] < since:
            continue
        if until is not None and when[:10] > until:
            continue
        payload = stored_object(row["payload_json"])
        if not payload:
            continue
        route = _route_of(conn, payload)
        if route_id is not None and route != route_id:
            continue
        item: dict[str, Any] = {
            "position": row["position"],
            "type": row["type"],
            "status": row["status"],
            "reason": row["reason"],
            "username": row["username"],
            "device_id": row["device_id"],
            "time": when,
            "received_at": row["received_at"],
            "route_id": route,
            "segment_id": text_or_none(payload.get("segment_id")),
            "lat": number_or_none(payload.get("lat")),
            "lon": number_or_none(payload.get("lon")),
            "form_id": None,
            "form_version": None,
            "form_title": None,
            "text": text_or_none(payload.get("text")) if row["type"] == "note" else None,
            "answers": [],
        }
        if row["type"] == "form_answer":
            fid, version = str(payload.get("form_id")), payload.get("form_version")
            if form_id is not None and fid != form_id:
                continue
            key = (fid, int(version) if isinstance(version, int) else -1)
            if key not in forms:
                forms[key] = get_form(conn, *key)
            form = forms[key]
            raw = payload.get("answers")
            answers: dict[str, Any] = raw if isinstance(raw, dict) else {}
            labels = {q["id"]: q for q in form["questions"]} if form else {}
            item.update(
                form_id=fid,
                form_version=version,
                form_title=form["title"] if form else None,
                answers=[
                    {
                        "question_id": qid,
                        "label": labels[qid]["label"] if qid in labels else qid,
                        "type": labels[qid]["type"] if qid in labels else None,
                        "value": value,
                    }
                    for qid, value in answers.items()
                ],
            )
        elif form_id is not None:
            continue
        if question is not None and not any(
            a["question_id"] == question and a["value"] not in (None, "", [])
            for a in item["answers"]
        ):
            continue
        out.append(item)
    return out


def _days(since: str, until: str) -> list[str]:
    start, end = date.fromisoformat(since), date.fromisoformat(until)
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def pilot_metrics(conn: Connection, since: str, until: str) -> dict[str, Any]:
    """The five pilot charts' data between two days (inclusive)."""
    days = _days(since, until)
    in_range = set(days)
    lengths = {
        (r["route_id"], r["segment_id"]): float(r["length_m"])
        for r in conn.execute("SELECT route_id, segment_id, length_m FROM segments")
    }
    planned: dict[str, set[str]] = defaultdict(set)
    for row in conn.execute(
        "SELECT date, route_id FROM assignments WHERE date >= ? AND date <= ?", (since, until)
    ):
        planned[row["date"]].add(row["route_id"])
    route_length = {
        r["id"]: float(r["length_m"]) for r in conn.execute("SELECT id, length_m FROM routes")
    }
    swept: dict[str, set[tuple[str, str]]] = defaultdict(set)
    exceptions: Counter[str] = Counter()
    ratings: dict[tuple[str, str], list[int]] = defaultdict(list)
    labels: dict[str, str] = {}
    for row in _events(conn, ("segment_swept", "exception", "form_answer")):
        day = fact_time(row)[:10]
        if day not in in_range:
            continue
        payload = stored_object(row["payload_json"])
        if row["type"] == "segment_swept":
            swept[day].add((str(payload.get("route_id")), str(payload.get("segment_id"))))
        elif row["type"] == "exception":
            exceptions[str(text_or_none(payload.get("kind")))] += 1
        else:
            version = payload.get("form_version")
            form = (
                get_form(conn, str(payload.get("form_id")), version)
                if isinstance(version, int)
                else None
            )
            raw = payload.get("answers")
            answers: dict[str, Any] = raw if isinstance(raw, dict) else {}
            for q in form["questions"] if form else []:
                value = answers.get(q["id"])
                if q["type"] == "rating" and isinstance(value, int):
                    key = f"{form['id'] if form else ''}/{q['id']}"
                    labels[key] = q["label"]
                    ratings[(key, day)].append(value)
    hours: dict[str, float] = defaultdict(float)
    speeds = [0] * SPEED_BINS
    last_t: dict[str, float] = {}
    for row in conn.execute(
        "SELECT device_id, payload_json FROM facts WHERE stream = 'gps' AND status = 'applied'"
        " AND received_at >= ? ORDER BY rowid",
        (since,),
    ):
        try:
            fixes = decode_fix_batch(stored_payload(row["payload_json"]))
        except FixBatchError:
            continue
        for fix in fixes:
            t = float(fix[0] or 0) / 1000
            day = datetime.fromtimestamp(t, UTC).date().isoformat() if t > 0 else ""
            if day not in in_range:
                continue
            previous = last_t.get(row["device_id"])
            if previous is not None and 0 < t - previous <= MAX_FIX_GAP_S:
                hours[day] += (t - previous) / 3600
            last_t[row["device_id"]] = t
            if fix[3] is not None:
                kmh = float(fix[3]) * 3.6
                speeds[min(int(kmh // SPEED_BIN_KMH), SPEED_BINS - 1)] += 1
    completion = []
    per_hour = []
    for day in days:
        planned_m = sum(route_length.get(r, 0.0) for r in planned[day])
        done = sum(lengths.get(s, 0.0) for s in swept[day] if s[0] in planned[day])
        completion.append(
            {
                "date": day,
                "planned_m": round(planned_m, 1),
                "swept_m": round(done, 1),
                "pct": round(100 * done / planned_m, 1) if planned_m else None,
            }
        )
        all_swept = sum(lengths.get(s, 0.0) for s in swept[day])
        per_hour.append(
            {
                "date": day,
                "curb_km": round(all_swept / 1000, 3),
                "hours": round(hours[day], 3),
                "km_per_hour": round(all_swept / 1000 / hours[day], 2) if hours[day] else None,
            }
        )
    return {
        "since": since,
        "until": until,
        "completion": completion,
        "curb_km_per_hour": per_hour,
        "speed_histogram": {"bin_kmh": SPEED_BIN_KMH, "counts": speeds},
        "exceptions_by_kind": dict(sorted(exceptions.items())),
        "ratings": [
            {
                "question": key,
                "label": labels[key],
                "points": [
                    {"date": d, "mean": round(sum(v) / len(v), 2), "count": len(v)}
                    for (k, d), v in sorted(ratings.items())
                    if k == key
                ],
            }
            for key in sorted(labels)
        ],
    }
