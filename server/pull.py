"""The pull side of sync: an opaque cursor over the change log, with reset snapshots.

A cursor names this database (its epoch), the account it was issued to and a change-log
position, so a cursor from a recreated database, from another account or simply garbled
is "unknown" and answered with `reset` and the full current state. A reset larger than
one page continues with a snapshot cursor; after its last page, the cursor points at
the change-log position read at the start, so nothing written meanwhile is missed (a
change may arrive twice; applying a put or del twice is harmless).

Changes, cursor and the client's `last_processed_seq` are read in one snapshot.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from server.auth import User
from server.clock import local_today
from server.dbapi import Connection, Store
from server.facts import bind_client, high_waters
from server.forms import EVERYONE, form_changes
from server.messages import MESSAGE_ENTITY, SNAPSHOT_DAYS, mark_delivered, message_changes
from server.plans import current_assignments_page


@dataclass(frozen=True, slots=True)
class Cursor:
    epoch: str
    username: str
    position: int
    # Set while a reset snapshot is being paged: the last assignment id already sent.
    snapshot_after: str | None = None


@dataclass(frozen=True, slots=True)
class PullPage:
    cursor: str
    reset: bool
    has_more: bool
    last_processed_seq: dict[str, int]
    changes: list[dict[str, Any]]


def encode_cursor(cursor: Cursor) -> str:
    raw: dict[str, Any] = {"e": cursor.epoch, "u": cursor.username, "p": cursor.position}
    if cursor.snapshot_after is not None:
        raw["a"] = cursor.snapshot_after
    text = json.dumps(raw, separators=(",", ":")).encode("utf-8")
    return "c1." + base64.urlsafe_b64encode(text).decode("ascii").rstrip("=")


def decode_cursor(text: str | None) -> Cursor | None:
    if not text or not text.startswith("c1."):
        return None
    body = text[3:]
    try:
        raw = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(raw, dict):
        return None
    epoch, username, position, after = raw.get("e"), raw.get("u"), raw.get("p"), raw.get("a")
    if not isinstance(epoch, str) or not isinstance(username, str):
        return None
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        return None
    if after is not None and not isinstance(after, str):
        return None
    return Cursor(epoch, username, position, after)


def _valid(conn: Connection, cursor: Cursor | None, user: User) -> Cursor | None:
    if cursor is None or cursor.username != user.username:
        return None
    epoch = conn.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()[0]
    if cursor.epoch != epoch or cursor.position > _log_end(conn):
        return None
    return cursor


def _log_end(conn: Connection) -> int:
    return int(conn.execute("SELECT COALESCE(MAX(change_id), 0) FROM change_log").fetchone()[0])


def _put(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "op": "put",
        "entity": "assignment",
        "id": value["id"],
        "version": value["version"],
        "value": value,
    }


def _snapshot_page(
    conn: Connection, user: User, cursor: Cursor, limit: int
) -> tuple[list[dict[str, Any]], Cursor, bool]:
    # Yesterday too, so a tablet pulling just after midnight keeps the shift it is on.
    since = (local_today() - timedelta(days=1)).isoformat()
    operator = None if user.sees_all else user.username
    rows = current_assignments_page(
        conn,
        since_day=since,
        operator=operator,
        after_id=cursor.snapshot_after or "",
        limit=limit + 1,
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    changes = [_put(v) for v in rows]
    if not cursor.snapshot_after:
        # The first page of a reset also carries every form and the recent messages, so
        # a tablet that replaces its state keeps them.
        extra = form_changes(conn)
        if not user.sees_all:
            recent = (local_today() - timedelta(days=SNAPSHOT_DAYS)).isoformat()
            extra += message_changes(conn, user.username, recent)
        changes = extra + changes
    if has_more:
        return changes, Cursor(cursor.epoch, cursor.username, cursor.position, rows[-1]["id"]), True
    return changes, Cursor(cursor.epoch, cursor.username, cursor.position), False


def _log_page(
    conn: Connection, user: User, cursor: Cursor, limit: int
) -> tuple[list[dict[str, Any]], Cursor, bool]:
    sql = (
        "SELECT change_id, entity, entity_id, op, version, value_json FROM change_log"
        " WHERE change_id > ?"
    )
    params: list[Any] = [cursor.position]
    if not user.sees_all:
        sql += " AND operator IN (?, ?)"
        params.extend((user.username, EVERYONE))
    rows = conn.execute(sql + " ORDER BY change_id LIMIT ?", [*params, limit + 1]).fetchall()
    has_more = len(rows) > limit
    rows = rows[:limit]
    changes = [
        {
            "op": r["op"],
            "entity": r["entity"],
            "id": r["entity_id"],
            "version": r["version"],
            "value": None if r["value_json"] is None else json.loads(r["value_json"]),
        }
        for r in rows
    ]
    position = int(rows[-1]["change_id"]) if rows else cursor.position
    if not has_more:
        # Nothing further for this account: skip past other accounts' changes too.
        position = max(position, _log_end(conn))
    return changes, Cursor(cursor.epoch, cursor.username, position), has_more


def pull(db: Store, user: User, client_id: str, cursor_text: str | None, limit: int) -> PullPage:
    with db.read() as conn:
        bind_client(conn, client_id, user, None)
        cursor = _valid(conn, decode_cursor(cursor_text), user)
        reset = cursor is None
        if cursor is None:
            epoch = str(conn.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()[0])
            cursor = Cursor(epoch, user.username, _log_end(conn), "")
        if cursor.snapshot_after is not None:
            changes, next_cursor, has_more = _snapshot_page(conn, user, cursor, limit)
        else:
            changes, next_cursor, has_more = _log_page(conn, user, cursor, limit)
        acked = high_waters(conn, client_id)
    delivered = [c["id"] for c in changes if c["entity"] == MESSAGE_ENTITY and c["op"] == "put"]
    if delivered and not user.sees_all:
        with db.write() as conn:
            mark_delivered(conn, user.username, delivered)
    return PullPage(encode_cursor(next_cursor), reset, has_more, acked, changes)
