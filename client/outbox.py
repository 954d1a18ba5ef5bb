"""The durable outbox: every fact committed locally first, then pushed in order.

Per SYNC.md: an AUTOINCREMENT row id (never reused after pruning), two streams with
contiguous per-stream numbers taken from a counter in the same transaction as the
insert, the canonical payload and its sha256 stored so a resend is byte-identical, and
the server's answers recorded in one transaction.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from client.db import utc_now_iso
from client.store import Store
from sync.protocol import (
    APPLIED,
    CONFLICT_REUSED_SEQ,
    DUPLICATE,
    GAP,
    REJECTED,
    STREAMS,
    canonical_json,
    content_hash,
)


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    stream: str
    seq: int
    type: str
    id: str | None
    sha256: str
    assignment_version: int | None
    device_time: str
    gps_time: str | None
    payload_json: str

    def wire(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "type": self.type,
            "id": self.id,
            "sha256": self.sha256,
            "assignment_version": self.assignment_version,
            "device_time": self.device_time,
            "gps_time": self.gps_time,
            "payload": json.loads(self.payload_json),
        }


@dataclass(frozen=True, slots=True)
class PushOutcome:
    """What recording one push answer changed."""

    acked: int
    rejected: int
    conflicts: int
    resend_from: int | None
    client_rebased: bool


class Outbox:
    def __init__(self, store: Store) -> None:
        self._store = store

    def append(
        self,
        stream: str,
        type: str,
        payload: Any,
        *,
        assignment_version: int | None,
        gps_time: str | None,
        event_id: str | None = None,
    ) -> int:
        """Commit one fact; returns its per-stream sequence number."""
        if stream not in STREAMS:
            raise ValueError(f"unknown stream {stream!r}")
        payload_json = canonical_json(payload).decode("utf-8")
        device_time = utc_now_iso()
        sha = content_hash(
            stream=stream,
            type=type,
            payload=json.loads(payload_json),
            assignment_version=assignment_version,
            device_time=device_time,
            gps_time=gps_time,
            id=event_id,
        )
        with self._store.transaction() as conn:
            conn.execute(
                "UPDATE stream_counter SET last_seq = last_seq + 1 WHERE stream = ?", (stream,)
            )
            seq = int(
                conn.execute(
                    "SELECT last_seq FROM stream_counter WHERE stream = ?", (stream,)
                ).fetchone()[0]
            )
            conn.execute(
                "INSERT INTO outbox (client_id, stream, stream_seq, type, event_id, payload,"
                " sha256, assignment_version, device_time, gps_time)"
                " SELECT client_id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM identity",
                (
                    stream,
                    seq,
                    type,
                    event_id,
                    payload_json,
                    sha,
                    assignment_version,
                    device_time,
                    gps_time,
                ),
            )
        return seq

    def pending(self, stream: str, *, max_count: int, max_bytes: int) -> list[OutboxEvent]:
        """The next events to push, in order, capped by count and by payload bytes."""
        rows = self._store.conn.execute(
            "SELECT * FROM outbox WHERE stream = ? AND state = 'pending'"
            " AND client_id = (SELECT client_id FROM identity)"
            " ORDER BY stream_seq LIMIT ?",
            (stream, max_count),
        ).fetchall()
        events: list[OutboxEvent] = []
        size = 0
        for row in rows:
            size += len(row["payload"]) + 200
            if events and size > max_bytes:
                break
            events.append(
                OutboxEvent(
                    stream=row["stream"],
                    seq=row["stream_seq"],
                    type=row["type"],
                    id=row["event_id"],
                    sha256=row["sha256"],
                    assignment_version=row["assignment_version"],
                    device_time=row["device_time"],
                    gps_time=row["gps_time"],
                    payload_json=row["payload"],
                )
            )
        return events

    def pending_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STREAMS, 0)
        for row in self._store.conn.execute(
            "SELECT stream, count(*) AS n FROM outbox WHERE state = 'pending' GROUP BY stream"
        ):
            counts[row["stream"]] = int(row["n"])
        return counts

    def problem_count(self) -> int:
        """Facts the server refused (rejected) or flagged (reused sequence number)."""
        row = self._store.conn.execute(
            "SELECT count(*) FROM outbox WHERE state IN ('rejected', 'conflict')"
        ).fetchone()
        return int(row[0])

    def record_push_result(
        self, stream: str, client_id: str, response: dict[str, Any]
    ) -> PushOutcome:
        """Apply the server's per-event answers in one transaction."""
        acked = rejected = conflicts = 0
        resend_from: int | None = None
        now = utc_now_iso()
        with self._store.transaction() as conn:
            for result in response.get("results", []):
                seq, status = int(result["seq"]), str(result["status"])
                if status in (APPLIED, DUPLICATE, REJECTED, CONFLICT_REUSED_SEQ):
                    state = {CONFLICT_REUSED_SEQ: "conflict"}.get(status, status)
                    cur = conn.execute(
                        "UPDATE outbox SET state = ?, reason = ?, acked_at = ?"
                        " WHERE client_id = ? AND stream = ? AND stream_seq = ?"
                        " AND state = 'pending'",
                        (state, result.get("reason"), now, client_id, stream, seq),
                    )
                    if status == REJECTED:
                        rejected += cur.rowcount
                    elif status == CONFLICT_REUSED_SEQ:
                        conflicts += cur.rowcount
                    else:
                        acked += cur.rowcount
                elif status == GAP:
                    resend_from = int(result["expected"])
                    break
            last = int(response["last_processed_seq"])
            counter = conn.execute(
                "SELECT last_seq FROM stream_counter WHERE stream = ?", (stream,)
            ).fetchone()
            if last > int(counter["last_seq"]):
                self._rebase_client(conn)
                return PushOutcome(acked, rejected, conflicts, None, client_rebased=True)
            if resend_from is not None:
                # The server has forgotten facts it once acked (a restored backup): send
                # them again from the number it wants.
                conn.execute(
                    "UPDATE outbox SET state = 'pending', acked_at = NULL"
                    " WHERE client_id = ? AND stream = ? AND stream_seq >= ?"
                    " AND state IN ('applied', 'duplicate')",
                    (client_id, stream, resend_from),
                )
            conn.execute(
                "UPDATE stream_counter SET acked_seq = max(acked_seq, ?) WHERE stream = ?",
                (last, stream),
            )
        return PushOutcome(acked, rejected, conflicts, resend_from, client_rebased=False)

    def _rebase_client(self, conn: Any) -> None:
        """The server has seen numbers we never assigned: our database went back in time.

        Mint a new client id and renumber what is still pending from 1, so nothing is
        mistaken for a duplicate of a fact the server got from our lost future.
        """
        new_id = str(uuid.uuid4())
        conn.execute("UPDATE identity SET client_id = ?", (new_id,))
        for stream in STREAMS:
            rows = conn.execute(
                "SELECT seq FROM outbox WHERE stream = ? AND state = 'pending' ORDER BY stream_seq",
                (stream,),
            ).fetchall()
            for n, row in enumerate(rows, start=1):
                conn.execute(
                    "UPDATE outbox SET client_id = ?, stream_seq = ? WHERE seq = ?",
                    (new_id, n, row["seq"]),
                )
            conn.execute(
                "UPDATE stream_counter SET last_seq = ?, acked_seq = 0 WHERE stream = ?",
                (len(rows), stream),
            )

    def prune_acked(self, older_than_iso: str) -> int:
        """Drop acknowledged rows acked before the given time; AUTOINCREMENT keeps seq unique."""
        with self._store.transaction() as conn:
            cur = conn.execute(
                "DELETE FROM outbox WHERE state IN ('applied', 'duplicate') AND acked_at < ?",
                (older_than_iso,),
            )
        return int(cur.rowcount)
