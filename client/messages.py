"""Supervisor messages on the tablet: kept from each pull, acknowledged by the operator.

The server sends messages as pull changes beside assignments (docs/api.md, "Pull:
supervisor messages"): `{"op": "put", "entity": "message", "id", "version", "value":
{"id", "text", "sender", "sent_at"}}`, or `"del"` to withdraw one. They are stored in the
tablet's key-value table, one row per message, in the same transaction as the pull's
assignments and cursor; the acknowledgement itself is an outbox fact (`message_ack`) and
is also remembered here so the message stops asking for attention.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from client.assignments import AssignmentCache
from client.clock import SYSTEM_CLOCK, Clock
from client.forms import FormCache
from client.models import SupervisorMessage
from client.store import Store

log = logging.getLogger("sweepline.messages")

_PREFIX = "message:"
MAX_TEXT = 4000


def _parse(change_id: str, value: Any) -> SupervisorMessage | None:
    if not isinstance(value, dict):
        return None
    text = value.get("text")
    if not isinstance(text, str) or not text.strip():
        return None
    sender = value.get("sender")
    sent_at = value.get("sent_at")
    return SupervisorMessage(
        id=str(value.get("id") or change_id),
        text=text[:MAX_TEXT],
        sender=sender if isinstance(sender, str) else "",
        sent_at=sent_at if isinstance(sent_at, str) else "",
    )


class MessageInbox:
    """The supervisor messages this tablet has received, oldest first."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def all(self) -> list[SupervisorMessage]:
        rows = self._store.conn.execute(
            "SELECT value FROM kv WHERE key LIKE ? ORDER BY key", (_PREFIX + "%",)
        )
        out = []
        for row in rows:
            data = json.loads(row["value"])
            out.append(SupervisorMessage(**data))
        return sorted(out, key=lambda m: (m.sent_at, m.id))

    def unacknowledged(self) -> list[SupervisorMessage]:
        return [m for m in self.all() if not m.acknowledged]

    def get(self, message_id: str) -> SupervisorMessage | None:
        raw = self._store.get_kv(_PREFIX + message_id)
        return None if raw is None else SupervisorMessage(**json.loads(raw))

    def _put(self, message: SupervisorMessage) -> None:
        data = {
            "id": message.id,
            "text": message.text,
            "sender": message.sender,
            "sent_at": message.sent_at,
            "acknowledged": message.acknowledged,
        }
        self._store.set_kv(_PREFIX + message.id, json.dumps(data))

    def apply(self, staged: list[dict[str, Any]]) -> bool:
        """Apply the message changes among a pull's changes; returns whether any applied."""
        changed = False
        with self._store.transaction() as conn:
            for change in staged:
                if change.get("entity") != "message":
                    continue
                cid = str(change.get("id") or "")
                if change.get("op") == "del":
                    conn.execute("DELETE FROM kv WHERE key = ?", (_PREFIX + cid,))
                    changed = True
                    continue
                message = _parse(cid, change.get("value"))
                if message is None:
                    log.warning("pull: a message without text was ignored (%s)", cid)
                    continue
                old = self.get(message.id)
                if old is not None:
                    # A new version of a message the operator has already acknowledged
                    # stays acknowledged only if its text did not change.
                    acknowledged = old.acknowledged and old.text == message.text
                    message = SupervisorMessage(
                        message.id, message.text, message.sender, message.sent_at, acknowledged
                    )
                    if message == old:
                        continue
                self._put(message)
                changed = True
        return changed

    def mark_acknowledged(self, message_id: str) -> bool:
        message = self.get(message_id)
        if message is None or message.acknowledged:
            return False
        self._put(
            SupervisorMessage(message.id, message.text, message.sender, message.sent_at, True)
        )
        return True


class PulledState(AssignmentCache):
    """The assignment cache that also keeps the messages and forms of each pull.

    Assignments, messages, forms and the cursor commit in one transaction, so a screen
    never sees a cursor that has moved past changes that were not stored.
    """

    def __init__(
        self,
        store: Store,
        inbox: MessageInbox,
        on_messages_changed: Callable[[], None],
        forms: FormCache,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__(store, clock)
        self._inbox = inbox
        self._on_messages_changed = on_messages_changed
        self._forms = forms

    def apply_pull(self, response: dict[str, Any], staged: list[dict[str, Any]]) -> bool:
        with self._store.transaction():
            messages_changed = self._inbox.apply(staged)
            self._forms.apply(staged, reset=bool(response.get("reset")))
            changed = super().apply_pull(response, staged)
        if messages_changed:
            self._on_messages_changed()
        return changed
