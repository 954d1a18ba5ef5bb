"""The durable outbox: every fact committed locally first, then pushed in order.

Per SYNC.md: an AUTOINCREMENT row id (never reused after pruning), two streams with
contiguous per-stream numbers taken from a counter in the same transaction as the
insert, the canonical payload and its sha256 stored so a resend is byte-identical, and
the server's answers recorded in one transaction.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from client.clock import SYSTEM_CLOCK, Clock
from client.db import iso_z
from client.store import Store
from wire.protocol import (
    APPLIED,
    CONFLICT_REUSED_SEQ,
    DUPLICATE,
    FIX_BATCH,
    GAP,
    REJECTED,
    STREAMS,
    canonical_json,
    content_hash,
    encode_fix_batch,
)

log = logging.getLogger("sweepline.outbox")


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
    def __init__(self, store: Store, clock: Clock = SYSTEM_CLOCK) -> None:
        self._store = store
        self._clock = clock

    def append(
        self,
        stream: str,
        type: str,
        payload: Any,
        *,
        assignment_version: int | None,
        gps_time: str | None,
        event_id: str | None = None,
        item_count: int = 1,
    ) -> int:
        """Commit one fact; returns its per-stream sequence number."""
        if stream not in STREAMS:
            raise ValueError(f"unknown stream {stream!r}")
        payload_json = canonical_json(payload).decode("utf-8")
        device_time = iso_z(self._clock.now())
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
                " sha256, assignment_version, device_time, gps_time, item_count)"
                " SELECT client_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM identity",
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
                    item_count,
                ),
            )
        return seq

    # -- GPS fixes: buffered every few seconds, sealed into compact batches ----------------

    def buffer_fixes(
        self, rows: list[list[float | int | None]], *, assignment_version: int | None
    ) -> None:
        """Commit fixes (rows of `FIX_FIELDS` values) durably, to be sealed into batches."""
        with self._store.transaction() as conn:
            conn.executemany(
                "INSERT INTO fix_buffer (assignment_version, fix) VALUES (?, ?)",
                [(assignment_version, canonical_json(r).decode("utf-8")) for r in rows],
            )

    def buffered_fixes(self) -> int:
        return int(self._store.conn.execute("SELECT count(*) FROM fix_buffer").fetchone()[0])

    def seal_fixes(self, max_per_batch: int, *, partial: bool) -> int:
        """Move buffered fixes into `fix_batch` outbox rows, oldest first, in one transaction.

        Only full batches unless `partial`: a long offline stretch then travels as a few
        large batches, while an online tablet seals what it has before each push.
        Returns how many outbox rows were made.
        """
        made = 0
        with self._store.transaction() as conn:
            while True:
                rows = conn.execute(
                    "SELECT id, assignment_version, fix FROM fix_buffer ORDER BY id LIMIT ?",
                    (max_per_batch,),
                ).fetchall()
                if not rows:
                    break
                version = rows[0]["assignment_version"]
                same = _takewhile_version(rows, version)
                if len(same) < max_per_batch and len(same) == len(rows) and not partial:
                    break
                fixes = [json.loads(r["fix"]) for r in same]
                self.append(
                    "gps",
                    FIX_BATCH,
                    encode_fix_batch(fixes),
                    assignment_version=version,
                    gps_time=_iso_from_ms(int(fixes[-1][0])),
                    item_count=len(fixes),
                )
                conn.execute("DELETE FROM fix_buffer WHERE id <= ?", (same[-1]["id"],))
                made += 1
        return made

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
        """Facts waiting per stream: events, and GPS fixes (batched or still buffered)."""
        counts = dict.fromkeys(STREAMS, 0)
        for row in self._store.conn.execute(
            "SELECT stream, sum(item_count) AS n FROM outbox WHERE state = 'pending'"
            " AND client_id = (SELECT client_id FROM identity) GROUP BY stream"
        ):
            counts[row["stream"]] = int(row["n"])
        counts["gps"] += self.buffered_fixes()
        return counts

    def pending_rows(self, stream: str) -> int:
        row = self._store.conn.execute(
            "SELECT count(*) FROM outbox WHERE stream = ? AND state = 'pending'"
            " AND client_id = (SELECT client_id FROM identity)",
            (stream,),
        ).fetchone()
        return int(row[0])

    def flagged_count(self, flag: str) -> int:
        """Facts the server accepted but flagged (e.g. `stale_assignment`)."""
        row = self._store.conn.execute(
            "SELECT count(*) FROM outbox WHERE reason LIKE ?", (f"flagged:%{flag}%",)
        ).fetchone()
        return int(row[0])

    def conflict_count(self) -> int:
        row = self._store.conn.execute(
            "SELECT count(*) FROM outbox WHERE state = 'conflict'"
        ).fetchone()
        return int(row[0])

    def problem_count(self) -> int:
        """Facts the server refused (rejected) or flagged (reused sequence number)."""
        row = self._store.conn.execute(
            "SELECT count(*) FROM outbox WHERE state IN ('rejected', 'conflict')"
        ).fetchone()
        return int(row[0])

    def record_push_result(
        self,
        stream: str,
        client_id: str,
        response: dict[str, Any],
        *,
        acked_at: datetime | None = None,
    ) -> PushOutcome:
        """Apply the server's per-event answers in one transaction.

        Besides acks and rejections this is where regressions are noticed. A reused
        number with different content, or a server that has processed numbers we never
        assigned, means our database went back in time: the conflicting rows are kept
        as an alarm, a new client id is minted and everything still owed is re-stamped
        under it. A `gap` below what we had acked means the server restored a backup:
        we resend from the number it asks for.
        """
        acked = rejected = conflicts = 0
        resend_from: int | None = None
        conflicted: list[int] = []
        # The ack time is on the same clock pruning reads (the engine's), or retention
        # would be measured between two clocks.
        now = iso_z(self._clock.now() if acked_at is None else acked_at)
        if client_id != self._store.client_id:
            # The other stream's answer re-stamped everything while this push was in
            # flight: this answer is about numbers that no longer exist here.
            return PushOutcome(0, 0, 0, None, client_rebased=True)
        with self._store.transaction() as conn:
            for result in response.get("results", []):
                seq, status = int(result["seq"]), str(result["status"])
                if status in (APPLIED, DUPLICATE, REJECTED, CONFLICT_REUSED_SEQ):
                    state = {CONFLICT_REUSED_SEQ: "conflict"}.get(status, status)
                    reason = result.get("reason")
                    flags = result.get("flags") or []
                    if flags and reason is None:
                        # Accepted but flagged (e.g. stale_assignment): kept for the screens.
                        reason = "flagged: " + ",".join(str(f) for f in flags)
                    cur = conn.execute(
                        "UPDATE outbox SET state = ?, reason = ?, acked_at = ?"
                        " WHERE client_id = ? AND stream = ? AND stream_seq = ?"
                        " AND state = 'pending'",
                        (state, reason, now, client_id, stream, seq),
                    )
                    if status == REJECTED:
                        rejected += cur.rowcount
                    elif status == CONFLICT_REUSED_SEQ:
                        conflicts += cur.rowcount
                        if cur.rowcount:
                            conflicted.append(seq)
                    else:
                        acked += cur.rowcount
                elif status == GAP:
                    resend_from = int(result["expected"])
                    break
            last = int(response["last_processed_seq"])
            counter = conn.execute(
                "SELECT last_seq FROM stream_counter WHERE stream = ?", (stream,)
            ).fetchone()
            if conflicted or last > int(counter["last_seq"]):
                self._rebase_client(conn, stream, client_id, conflicted)
                return PushOutcome(acked, rejected, conflicts, None, client_rebased=True)
            if resend_from is not None:
                self._resend_from(conn, stream, client_id, resend_from)
            conn.execute("UPDATE stream_counter SET acked_seq = ? WHERE stream = ?", (last, stream))
        return PushOutcome(acked, rejected, conflicts, resend_from, client_rebased=False)

    def reconcile(self, server_last: dict[str, int]) -> bool:
        """Compare the server's high-water marks (from a pull) with ours.

        Returns True when the client id changed (our database went back in time).
        """
        client_id = self._store.client_id
        with self._store.transaction() as conn:
            counters = {
                r["stream"]: (int(r["last_seq"]), int(r["acked_seq"]))
                for r in conn.execute("SELECT * FROM stream_counter")
            }
            if any(server_last.get(s, 0) > counters[s][0] for s in STREAMS):
                self._rebase_client(conn, STREAMS[0], client_id, [])
                return True
            for stream in STREAMS:
                last = server_last.get(stream, 0)
                if last < counters[stream][1]:
                    self._resend_from(conn, stream, client_id, last + 1)
                    conn.execute(
                        "UPDATE stream_counter SET acked_seq = ? WHERE stream = ?",
                        (last, stream),
                    )
        return False

    def _resend_from(self, conn: Any, stream: str, client_id: str, first: int) -> None:
        """The server has forgotten facts it once answered (a restored backup)."""
        cur = conn.execute(
            "UPDATE outbox SET state = 'pending', acked_at = NULL, reason = NULL"
            " WHERE client_id = ? AND stream = ? AND stream_seq >= ?"
            " AND state IN ('applied', 'duplicate', 'rejected')",
            (client_id, stream, first),
        )
        if cur.rowcount:
            log.warning(
                "server forgot %s facts from %s #%d on: resending them", cur.rowcount, stream, first
            )
        oldest = conn.execute(
            "SELECT min(stream_seq) FROM outbox WHERE client_id = ? AND stream = ?"
            " AND state = 'pending'",
            (client_id, stream),
        ).fetchone()[0]
        if oldest is not None and oldest > first:
            log.error(
                "server wants %s from #%d but facts before #%d were pruned here",
                stream,
                first,
                oldest,
            )

    def _rebase_client(
        self, conn: Any, stream: str, old_client_id: str, conflicted: list[int]
    ) -> None:
        """Our database went back in time: new client id, and re-stamp what is owed.

        Conflicting rows stay as they are (the alarm, and the audit trail); copies of
        them go first in the new numbering, then everything still pending, in order.
        """
        new_id = str(uuid.uuid4())
        log.warning("local database went back in time: new client id %s", new_id)
        conn.execute("UPDATE identity SET client_id = ?", (new_id,))
        for s in STREAMS:
            carried = [
                row["seq"]
                for row in conn.execute(
                    "SELECT seq FROM outbox WHERE client_id = ? AND stream = ?"
                    " AND stream_seq IN (SELECT value FROM json_each(?))"
                    " AND state = 'conflict' ORDER BY stream_seq",
                    (old_client_id, s, json.dumps(conflicted if s == stream else [])),
                )
            ]
            n = 0
            for rowid in carried:
                n += 1
                conn.execute(
                    "INSERT INTO outbox (client_id, stream, stream_seq, type, event_id,"
                    " payload, sha256, assignment_version, device_time, gps_time, item_count)"
                    " SELECT ?, stream, ?, type, event_id, payload, sha256,"
                    " assignment_version, device_time, gps_time, item_count"
                    " FROM outbox WHERE seq = ?",
                    (new_id, n, rowid),
                )
            pending = conn.execute(
                "SELECT seq FROM outbox WHERE client_id = ? AND stream = ? AND state = 'pending'"
                " ORDER BY stream_seq",
                (old_client_id, s),
            ).fetchall()
            for row in pending:
                n += 1
                conn.execute(
                    "UPDATE outbox SET client_id = ?, stream_seq = ? WHERE seq = ?",
                    (new_id, n, row["seq"]),
                )
            conn.execute(
                "UPDATE stream_counter SET last_seq = ?, acked_seq = 0 WHERE stream = ?",
                (n, s),
            )

    def prune_acked(self, older_than_iso: str) -> int:
        """Drop acknowledged rows acked before the given time; AUTOINCREMENT keeps seq unique."""
        with self._store.transaction() as conn:
            cur = conn.execute(
                "DELETE FROM outbox WHERE state IN ('applied', 'duplicate') AND acked_at < ?",
                (older_than_iso,),
            )
        return int(cur.rowcount)


def _takewhile_version(rows: list[Any], version: Any) -> list[Any]:
    same = []
    for row in rows:
        if row["assignment_version"] != version:
            break
        same.append(row)
    return same


def _iso_from_ms(t_ms: int) -> str:
    return iso_z(datetime.fromtimestamp(t_ms / 1000, UTC))
