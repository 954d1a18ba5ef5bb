"""Applying pushed facts exactly once, in order, per (client_id, stream).

This is the server half of SYNC.md's push table. One push is one write transaction:
the facts, the derived segment state and the advanced high-water mark commit together
or not at all, so a lost reply followed by a resend is answered `duplicate` and never
applied twice.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import Counter
from dataclasses import dataclass
from typing import Any

from server.auth import User
from server.clock import iso_z, parse_iso, server_time
from server.db import Database
from server.errors import ApiError
from server.logs import log_event
from server.plans import assignment_version, segment_exists
from server.schemas import PushEvent, PushRequest
from server.settings import Settings
from server.validation import check_event_payload, check_fix_batch, check_times, check_type
from sync.protocol import (
    APPLIED,
    CONFLICT_REUSED_SEQ,
    DUPLICATE,
    FIX_BATCH,
    GAP,
    REJECTED,
    canonical_json,
    content_hash,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Result:
    seq: int
    status: str
    reason: str | None = None
    expected: int | None = None


@dataclass(frozen=True, slots=True)
class PushOutcome:
    last_processed_seq: int
    results: list[Result]


@dataclass(frozen=True, slots=True)
class _Verdict:
    reason: str | None
    flags: str
    fix_count: int


def bind_client(
    conn: sqlite3.Connection, client_id: str, user: User, device_id: str | None
) -> None:
    """Tie a client_id to the first account (and device) that uses it; 403 for others."""
    row = conn.execute(
        "SELECT username, device_id FROM clients WHERE client_id = ?", (client_id,)
    ).fetchone()
    if row is None:
        if device_id is not None:
            conn.execute(
                "INSERT INTO clients(client_id, username, device_id, first_seen)"
                " VALUES (?, ?, ?, ?)",
                (client_id, user.username, device_id, server_time()),
            )
        return
    if row["username"] != user.username:
        raise ApiError(403, "this client_id belongs to another account")
    if device_id is not None and row["device_id"] != device_id:
        raise ApiError(403, "this client_id belongs to another device")


def high_waters(conn: sqlite3.Connection, client_id: str) -> dict[str, int]:
    rows = conn.execute(
        "SELECT stream, high_water FROM streams WHERE client_id = ?", (client_id,)
    ).fetchall()
    found = {str(r["stream"]): int(r["high_water"]) for r in rows}
    return {"events": found.get("events", 0), "gps": found.get("gps", 0)}


def _judge(conn: sqlite3.Connection, stream: str, event: PushEvent, settings: Settings) -> _Verdict:
    try:
        actual = content_hash(
            stream=stream,
            type=event.type,
            payload=event.payload,
            assignment_version=event.assignment_version,
            device_time=event.device_time,
            gps_time=event.gps_time,
            id=event.id,
        )
    except ValueError:
        return _Verdict("payload contains a number that is not finite (NaN or Infinity)", "", 0)
    if actual != event.sha256:
        return _Verdict("sha256 does not match content", "", 0)
    reason = check_type(stream, event.type) or check_times(event.device_time, event.gps_time)
    if reason:
        return _Verdict(reason, "", 0)
    if event.type == FIX_BATCH:
        reason, count, odd = check_fix_batch(event.payload, settings.max_fixes_per_batch)
        return _Verdict(reason, f"odd_fixes={odd}" if odd else "", count)
    reason = check_event_payload(event.type, event.payload)
    if reason:
        return _Verdict(reason, "", 0)
    payload: dict[str, Any] = event.payload
    if event.type == "segment_swept" and not segment_exists(
        conn, payload["route_id"], payload["segment_id"]
    ):
        return _Verdict(
            f"unknown segment {payload['segment_id']!r} on route {payload['route_id']!r}", "", 0
        )
    flags = ""
    assignment_id = payload.get("assignment_id")
    if isinstance(assignment_id, str):
        current = assignment_version(conn, assignment_id)
        if current is not None and current != event.assignment_version:
            flags = "stale_assignment"
    return _Verdict(None, flags, 0)


def _fact_time(event: PushEvent, received_at: str) -> str:
    """When the fact happened: GPS time, else device time, else when it arrived."""
    for text in (event.gps_time, event.device_time):
        moment = parse_iso(text) if text else None
        if moment is not None and moment.tzinfo is not None:
            return iso_z(moment)
    return received_at


def _payload_json(payload: Any) -> str:
    try:
        return canonical_json(payload).decode("utf-8")
    except ValueError:
        return json.dumps(payload, sort_keys=True)


def _record_sweep(
    conn: sqlite3.Connection, payload: dict[str, Any], swept_at: str, swept_by: str
) -> None:
    conn.execute(
        "INSERT INTO segment_state(route_id, segment_id, swept_at, swept_by, passes)"
        " VALUES (?, ?, ?, ?, 1)"
        " ON CONFLICT(route_id, segment_id) DO UPDATE SET swept_at = excluded.swept_at,"
        " swept_by = excluded.swept_by, passes = passes + 1",
        (payload["route_id"], payload["segment_id"], swept_at, swept_by),
    )


def apply_push(db: Database, user: User, body: PushRequest, settings: Settings) -> PushOutcome:
    """Process one push batch in one transaction; see SYNC.md for the per-event rules."""
    if user.device_id is not None and body.device_id != user.device_id:
        raise ApiError(403, "device_id differs from the device this session logged in from")
    stream = body.stream
    results: list[Result] = []
    received_at = server_time()
    with db.write() as conn:
        bind_client(conn, body.client_id, user, body.device_id)
        high_water = high_waters(conn, body.client_id)[stream]
        start = high_water
        for event in body.events:
            if event.seq <= high_water:
                row = conn.execute(
                    "SELECT sha256 FROM facts WHERE client_id = ? AND stream = ? AND seq = ?",
                    (body.client_id, stream, event.seq),
                ).fetchone()
                if row is not None and row["sha256"] == event.sha256:
                    results.append(Result(event.seq, DUPLICATE))
                else:
                    results.append(Result(event.seq, CONFLICT_REUSED_SEQ))
                    log_event(
                        log,
                        logging.WARNING,
                        "push_conflict_reused_seq",
                        client_id=body.client_id,
                        stream=stream,
                        seq=event.seq,
                        username=user.username,
                    )
                continue
            if event.seq > high_water + 1:
                results.append(Result(event.seq, GAP, expected=high_water + 1))
                break
            verdict = _judge(conn, stream, event, settings)
            status = APPLIED if verdict.reason is None else REJECTED
            conn.execute(
                "INSERT INTO facts(client_id, stream, seq, type, event_id, sha256,"
                " assignment_version, device_time, gps_time, payload_json, status, reason,"
                " flags, fix_count, username, device_id, received_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    body.client_id,
                    stream,
                    event.seq,
                    event.type,
                    event.id,
                    event.sha256,
                    event.assignment_version,
                    event.device_time,
                    event.gps_time,
                    _payload_json(event.payload),
                    status,
                    verdict.reason,
                    verdict.flags,
                    verdict.fix_count,
                    user.username,
                    body.device_id,
                    received_at,
                ),
            )
            if status == APPLIED and event.type == "segment_swept":
                _record_sweep(conn, event.payload, _fact_time(event, received_at), user.username)
            high_water = event.seq
            results.append(Result(event.seq, status, reason=verdict.reason))
        if high_water != start:
            conn.execute(
                "INSERT INTO streams(client_id, stream, high_water) VALUES (?, ?, ?)"
                " ON CONFLICT(client_id, stream) DO UPDATE SET high_water = excluded.high_water",
                (body.client_id, stream, high_water),
            )
    counts = Counter(r.status for r in results)
    log_event(
        log,
        logging.INFO,
        "push",
        username=user.username,
        client_id=body.client_id,
        stream=stream,
        events=len(body.events),
        last_processed_seq=high_water,
        **{status: n for status, n in sorted(counts.items())},
    )
    return PushOutcome(high_water, results)
