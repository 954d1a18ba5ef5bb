"""Supervisor messages: sent to one operator or to all, pulled by their tablets,
acknowledged by the operator (a `message_ack` fact), with both steps visible to the
supervisor.

A message is one change-log `put` per recipient (entity `message`), so each operator's
tablets pull exactly the messages meant for them. "Delivered" is the first pull that
handed the message to one of the recipient's tablets; "acknowledged" is the applied
`message_ack` fact.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any, Final

from server.clock import server_time
from server.dbapi import Connection, Row

MESSAGE_ENTITY: Final = "message"
EVERYONE: Final = "*"
MAX_TEXT: Final = 4000
# A reset pull hands a tablet the messages of this many recent days again.
SNAPSHOT_DAYS: Final = 2


class MessageError(ValueError):
    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


def message_value(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "text": row["text"],
        "sender": row["sender"],
        "sent_at": row["sent_at"],
    }


def send_message(conn: Connection, *, text: str, sender: str, to: str) -> dict[str, Any]:
    """Store a message for `to` (a username, or '*' for every enabled operator) and log it
    for their tablets to pull. Returns the message with its recipients."""
    if not text.strip():
        raise MessageError("a message needs some text")
    if len(text) > MAX_TEXT:
        raise MessageError(f"a message is at most {MAX_TEXT} characters")
    if to == EVERYONE:
        recipients = [
            str(r[0])
            for r in conn.execute(
                "SELECT username FROM users WHERE role = 'operator' AND disabled = 0"
                " ORDER BY username"
            )
        ]
        if not recipients:
            raise MessageError("there are no operators to send to")
    else:
        row = conn.execute("SELECT role FROM users WHERE username = ?", (to,)).fetchone()
        if row is None:
            raise MessageError(f"no user {to!r}", missing=True)
        if row["role"] != "operator":
            raise MessageError(f"{to!r} is a {row['role']}; messages go to operators")
        recipients = [to]
    message_id = f"msg-{uuid.uuid4()}"
    now = server_time()
    conn.execute(
        "INSERT INTO messages(id, text, sender, sent_at, audience) VALUES (?, ?, ?, ?, ?)",
        (message_id, text, sender, now, to),
    )
    value = {"id": message_id, "text": text, "sender": sender, "sent_at": now}
    encoded = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for username in recipients:
        conn.execute(
            "INSERT INTO message_recipients(message_id, username) VALUES (?, ?)",
            (message_id, username),
        )
        conn.execute(
            "INSERT INTO change_log(operator, entity, entity_id, op, version, value_json,"
            " created_at) VALUES (?, ?, ?, 'put', 1, ?, ?)",
            (username, MESSAGE_ENTITY, message_id, encoded, now),
        )
    return get_message(conn, message_id)


def get_message(conn: Connection, message_id: str) -> dict[str, Any]:
    row = conn.execute(
        "SELECT id, text, sender, sent_at, audience FROM messages WHERE id = ?", (message_id,)
    ).fetchone()
    if row is None:
        raise MessageError(f"no message {message_id!r}", missing=True)
    recipients = [
        {"username": r["username"], "delivered_at": r["delivered_at"], "acked_at": r["acked_at"]}
        for r in conn.execute(
            "SELECT username, delivered_at, acked_at FROM message_recipients"
            " WHERE message_id = ? ORDER BY username",
            (message_id,),
        )
    ]
    return {**message_value(row), "to": row["audience"], "recipients": recipients}


def list_messages(conn: Connection, limit: int = 200) -> list[dict[str, Any]]:
    """Newest first, each with per-recipient delivery and acknowledgement."""
    ids = [
        str(r[0])
        for r in conn.execute("SELECT id FROM messages ORDER BY sent_at DESC, id LIMIT ?", (limit,))
    ]
    return [get_message(conn, i) for i in ids]


def mark_delivered(conn: Connection, username: str, message_ids: Iterable[str]) -> int:
    now = server_time()
    count = 0
    for message_id in message_ids:
        count += conn.execute(
            "UPDATE message_recipients SET delivered_at = ?"
            " WHERE message_id = ? AND username = ? AND delivered_at IS NULL",
            (now, message_id, username),
        ).rowcount
    return count


def mark_acked(conn: Connection, username: str, message_id: str, at: str) -> None:
    """Record an applied `message_ack` (an ack implies delivery, even if the pull that
    delivered it was never recorded)."""
    conn.execute(
        "UPDATE message_recipients SET acked_at = COALESCE(acked_at, ?),"
        " delivered_at = COALESCE(delivered_at, ?) WHERE message_id = ? AND username = ?",
        (at, at, message_id, username),
    )


def message_changes(conn: Connection, username: str, since: str) -> list[dict[str, Any]]:
    """Pull `put`s for the messages sent to `username` since `since` (reset snapshots)."""
    rows = conn.execute(
        "SELECT m.id, m.text, m.sender, m.sent_at FROM messages m"
        " JOIN message_recipients r ON r.message_id = m.id"
        " WHERE r.username = ? AND m.sent_at >= ? ORDER BY m.sent_at, m.id",
        (username, since),
    ).fetchall()
    return [
        {
            "op": "put",
            "entity": MESSAGE_ENTITY,
            "id": r["id"],
            "version": 1,
            "value": message_value(r),
        }
        for r in rows
    ]
