"""Applying pushed facts exactly once, in order, per (client_id, stream).

This is the server half of SYNC.md's push table. One push is one write transaction:
the facts, the derived segment state and the advanced high-water mark commit together
or not at all, so a lost reply followed by a resend is answered `duplicate` and never
applied twice.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.auth import OPERATOR, User
from server.clock import iso_z, utc_now
from server.dbapi import ClientConnection, Connection, Row, Store
from server.errors import ApiError
from server.fact_time import IMPLAUSIBLE_TIME, implausible, trusted_time
from server.forms import form_answer_problem
from server.logs import log_event
from server.messages import mark_acked
from server.ownership import holding
from server.payloads import payload_problem, stored_object
from server.plans import segment_exists
from server.schemas import PushEvent, PushRequest
from server.settings import Settings
from server.validation import check_event_payload, check_fix_batch, check_times, check_type
from wire.protocol import (
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


STALE_ASSIGNMENT = "stale_assignment"
# Flags a push result carries back to the tablet (the stored ones may say more).
RESULT_FLAGS = frozenset({STALE_ASSIGNMENT, IMPLAUSIBLE_TIME})


@dataclass(frozen=True, slots=True)
class Result:
    seq: int
    status: str
    reason: str | None = None
    expected: int | None = None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PushOutcome:
    last_processed_seq: int
    results: list[Result]


@dataclass(frozen=True, slots=True)
class _Verdict:
    reason: str | None
    flags: str
    fix_count: int


def bind_client(conn: Connection, client_id: str, user: User, device_id: str | None) -> None:
    """403 unless `client_id` is unknown or tied to this account (and device, if given)."""
    row = conn.execute(
        "SELECT username, device_id FROM clients WHERE client_id = ?", (client_id,)
    ).fetchone()
    _check_binding(row, user, device_id)


def _check_binding(row: Row | None, user: User, device_id: str | None) -> None:
    if row is None:
        return
    if row["username"] != user.username:
        raise ApiError(403, "this client_id belongs to another account")
    if device_id is not None and row["device_id"] != device_id:
        raise ApiError(403, "this client_id belongs to another device")


def high_waters(conn: Connection, client_id: str) -> dict[str, int]:
    rows = conn.execute(
        "SELECT stream, high_water FROM streams WHERE client_id = ?", (client_id,)
    ).fetchall()
    found = {str(r["stream"]): int(r["high_water"]) for r in rows}
    return {"events": found.get("events", 0), "gps": found.get("gps", 0)}


def _judge(
    conn: Connection,
    user: User,
    device_id: str,
    stream: str,
    event: PushEvent,
    settings: Settings,
    received: datetime,
) -> _Verdict:
    limit = settings.max_fix_batch_bytes if stream == "gps" else settings.max_event_bytes
    reason = payload_problem(event.payload, max_depth=settings.max_payload_depth, max_bytes=limit)
    if reason:
        return _Verdict(reason, "", 0)
    verdict = _judge_content(conn, user, device_id, stream, event, settings)
    if verdict.reason is None and implausible(
        event.gps_time, event.device_time, received, settings
    ):
        flags = ",".join(filter(None, (verdict.flags, IMPLAUSIBLE_TIME)))
        return _Verdict(None, flags, verdict.fix_count)
    return verdict


def _judge_content(
    conn: Connection,
    user: User,
    device_id: str,
    stream: str,
    event: PushEvent,
    settings: Settings,
) -> _Verdict:
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
    if event.type == "form_answer":
        reason = form_answer_problem(conn, payload)
        if reason:
            return _Verdict(reason, "", 0)
    held = holding(conn, user, device_id, payload, event.assignment_version)
    if held.problem is not None:
        return _Verdict(held.problem, "", 0)
    return _Verdict(None, STALE_ASSIGNMENT if held.stale else "", 0)


def _payload_json(payload: Any) -> str:
    try:
        return canonical_json(payload).decode("utf-8")
    except ValueError:
        return json.dumps(payload, sort_keys=True)
    except RecursionError:
        return json.dumps({"unreadable": "the payload nested too deep to store"})


def _sides(value: object) -> set[str]:
    return {"left", "right"} if value in (None, "both") else {str(value)}


def record_sweep(conn: Connection, payload: dict[str, Any], swept_at: str, swept_by: str) -> None:
    """Fold one applied `segment_swept` fact into `segment_state`.

    Order-independent except for ties: the latest fact time wins `swept_at`/`swept_by`,
    sides are a union and passes a count, so replaying the facts (`recompute_segment_state`)
    gives the same state.
    """
    route_id, segment_id = payload["route_id"], payload["segment_id"]
    source = str(payload.get("source", ""))
    row = conn.execute(
        "SELECT swept_at, sides FROM segment_state WHERE route_id = ? AND segment_id = ?",
        (route_id, segment_id),
    ).fetchone()
    if row is None:
        conn.execute(
            "INSERT INTO segment_state(route_id, segment_id, swept_at, swept_by, passes, sides,"
            " last_source) VALUES (?, ?, ?, ?, 1, ?, ?)",
            (route_id, segment_id, swept_at, swept_by, _join(_sides(payload.get("side"))), source),
        )
        return
    sides = _join(set(filter(None, str(row["sides"]).split(","))) | _sides(payload.get("side")))
    if swept_at >= row["swept_at"]:
        conn.execute(
            "UPDATE segment_state SET swept_at = ?, swept_by = ?, last_source = ?, sides = ?,"
            " passes = passes + 1 WHERE route_id = ? AND segment_id = ?",
            (swept_at, swept_by, source, sides, route_id, segment_id),
        )
    else:
        conn.execute(
            "UPDATE segment_state SET sides = ?, passes = passes + 1"
            " WHERE route_id = ? AND segment_id = ?",
            (sides, route_id, segment_id),
        )


def _join(sides: set[str]) -> str:
    return ",".join(sorted(sides))


def recompute_segment_state(conn: Connection) -> int:
    """Rebuild `segment_state` from the applied `segment_swept` facts alone (in the order
    they were applied); returns how many facts were replayed. Call in a write transaction."""
    conn.execute("DELETE FROM segment_state")
    count = 0
    for row in conn.execute(
        "SELECT payload_json, gps_time, device_time, received_at, username, flags FROM facts"
        " WHERE status = 'applied' AND stream = 'events' AND type = 'segment_swept'"
        " ORDER BY rowid"
    ).fetchall():
        payload = stored_object(row["payload_json"])
        if not isinstance(payload.get("route_id"), str) or not isinstance(
            payload.get("segment_id"), str
        ):
            continue
        swept_at = trusted_time(
            row["gps_time"], row["device_time"], row["received_at"], row["flags"]
        )
        record_sweep(conn, payload, swept_at, row["username"])
        count += 1
    return count


def _device_allowed(conn: Connection, user: User, device_id: str) -> bool:
    """An operator writes only for the device their session is bound to, or (a session
    without a device) for a device one of their assignments names."""
    if user.device_id is not None:
        return device_id == user.device_id
    return (
        conn.execute(
            "SELECT 1 FROM assignments WHERE operator = ? AND device_id = ? LIMIT 1",
            (user.username, device_id),
        ).fetchone()
        is not None
    )


def _store_fact(
    conn: ClientConnection,
    body: PushRequest,
    user: User,
    event: PushEvent,
    status: str,
    verdict: _Verdict,
    received_at: str,
) -> None:
    conn.defer(
        "INSERT INTO facts(client_id, stream, seq, type, event_id, sha256,"
        " assignment_version, device_time, gps_time, payload_json, status, reason,"
        " flags, fix_count, username, device_id, received_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            body.client_id,
            body.stream,
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


def apply_push(
    db: Store,
    user: User,
    body: PushRequest,
    settings: Settings,
    announce: Callable[[ClientConnection, PushOutcome], None] | None = None,
) -> PushOutcome:
    """Process one push batch in one transaction; see SYNC.md for the per-event rules.

    `announce` is called inside the transaction once the outcome is known, so what it
    tells the supervisors' streams goes out with the commit (server.stream)."""
    if user.role != OPERATOR:
        raise ApiError(403, f"only operators push facts; you are {user.role}")
    if user.device_id is not None and body.device_id != user.device_id:
        raise ApiError(403, "device_id differs from the device this session logged in from")
    stream = body.stream
    results: list[Result] = []
    received = utc_now()
    received_at = iso_z(received)
    # A push of fixes folds into no shared state: only its client's pushes wait for it.
    with db.client_write(body.client_id, serial=stream != "gps") as conn:
        if not _device_allowed(conn, user, body.device_id):
            raise ApiError(403, f"device {body.device_id!r} is not assigned to you")
        # The first account and device to use a client_id own it (403 for others).
        client = conn.execute(
            "SELECT c.username, c.device_id, s.high_water FROM clients c"
            " LEFT JOIN streams s ON s.client_id = c.client_id AND s.stream = ?"
            " WHERE c.client_id = ?",
            (stream, body.client_id),
        ).fetchone()
        _check_binding(client, user, body.device_id)
        if client is None:
            conn.defer(
                "INSERT INTO clients(client_id, username, device_id, first_seen)"
                " VALUES (?, ?, ?, ?)",
                (body.client_id, user.username, body.device_id, received_at),
            )
        if body.waiting is not None:
            conn.defer(
                "INSERT INTO device_waiting(device_id, client_id, events, gps, reported_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(device_id) DO UPDATE SET"
                " client_id = excluded.client_id, events = excluded.events,"
                " gps = excluded.gps, reported_at = excluded.reported_at",
                (
                    body.device_id,
                    body.client_id,
                    body.waiting.events,
                    body.waiting.gps,
                    received_at,
                ),
            )
        known_water = None if client is None else client["high_water"]
        high_water = 0 if known_water is None else int(known_water)
        start = high_water
        # The sha256 of each fact this push stores (not yet readable where writes wait
        # for the commit): a batch may carry the same seq twice.
        stored: dict[int, str] = {}
        for event in body.events:
            if event.seq <= high_water:
                if event.seq in stored:
                    known: str | None = stored[event.seq]
                else:
                    row = conn.execute(
                        "SELECT sha256 FROM facts WHERE client_id = ? AND stream = ? AND seq = ?",
                        (body.client_id, stream, event.seq),
                    ).fetchone()
                    known = None if row is None else row["sha256"]
                if known == event.sha256:
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
            verdict = _judge(conn, user, body.device_id, stream, event, settings, received)
            status = APPLIED if verdict.reason is None else REJECTED
            _store_fact(conn, body, user, event, status, verdict, received_at)
            stored[event.seq] = event.sha256
            if status == APPLIED and event.type == "segment_swept":
                swept_at = trusted_time(
                    event.gps_time, event.device_time, received_at, verdict.flags
                )
                record_sweep(conn, event.payload, swept_at, user.username)
            if status == APPLIED and event.type == "message_ack":
                mark_acked(conn, user.username, str(event.payload["message_id"]), received_at)
            high_water = event.seq
            flags = tuple(f for f in verdict.flags.split(",") if f in RESULT_FLAGS)
            results.append(Result(event.seq, status, reason=verdict.reason, flags=flags))
        if high_water != start:
            conn.defer(
                "INSERT INTO streams(client_id, stream, high_water) VALUES (?, ?, ?)"
                " ON CONFLICT(client_id, stream) DO UPDATE SET high_water = excluded.high_water",
                (body.client_id, stream, high_water),
            )
        outcome = PushOutcome(high_water, results)
        if announce is not None:
            announce(conn, outcome)
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
    return outcome
