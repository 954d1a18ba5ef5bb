"""Forms on the tablet: cached from pull, answered offline, recorded through the outbox.

The server sends forms as pull changes beside assignments (docs/api.md, "Forms"):
`{"op": "put", "entity": "form", "id", "version", "value": definition}`. The latest
version of each form is kept in the tablet's key-value table, one row per form; a pull
with `reset` replaces them all. An answer is checked with the same rules the server
applies (`wire.forms`) before it becomes a `form_answer` fact carrying the form version,
the time, the position and the current segment.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from client.outbox import Outbox
from client.store import Store
from wire.forms import FormDefinitionError, check_answers, check_definition

log = logging.getLogger("sweepline.forms")

_PREFIX = "form:"
FORM_ANSWER = "form_answer"


class FormAnswerError(ValueError):
    """The answers do not fit the form; the message names the question."""


@dataclass(frozen=True, slots=True)
class AnswerContext:
    """What is attached to every answer: where and when it was given."""

    answered_at: str
    assignment_id: str | None = None
    assignment_version: int | None = None
    route_id: str | None = None
    segment_id: str | None = None
    lat: float | None = None
    lon: float | None = None
    gps_time: str | None = None


class FormCache:
    """The forms this tablet has pulled (latest version of each), by id."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def all(self) -> list[dict[str, Any]]:
        rows = self._store.conn.execute(
            "SELECT value FROM kv WHERE key LIKE ? ORDER BY key", (_PREFIX + "%",)
        )
        return [json.loads(r["value"]) for r in rows]

    def get(self, form_id: str) -> dict[str, Any] | None:
        raw = self._store.get_kv(_PREFIX + form_id)
        return None if raw is None else dict(json.loads(raw))

    def apply(self, staged: list[dict[str, Any]], *, reset: bool = False) -> bool:
        """Apply the form changes among a complete pull's changes (call inside the pull's
        transaction so forms, assignments and cursor commit together). A definition the
        tablet cannot use is skipped with a log line; the cached version stays."""
        changed = False
        with self._store.transaction() as conn:
            if reset:
                changed = bool(
                    conn.execute("DELETE FROM kv WHERE key LIKE ?", (_PREFIX + "%",)).rowcount
                )
            for change in staged:
                if change.get("entity") != "form":
                    continue
                form_id = str(change.get("id") or "")
                if change.get("op") == "del":
                    conn.execute("DELETE FROM kv WHERE key = ?", (_PREFIX + form_id,))
                    changed = True
                    continue
                value = change.get("value")
                try:
                    form = check_definition(
                        {k: v for k, v in (value or {}).items() if k != "version"}
                    )
                    version = int(change["version"])
                except (
                    FormDefinitionError,
                    TypeError,
                    ValueError,
                    KeyError,
                    AttributeError,
                ) as exc:
                    log.error("pull: form %r cannot be used: %s", form_id, exc)
                    continue
                old = self.get(form_id)
                if old is not None and int(old["version"]) > version:
                    continue
                conn.execute(
                    "INSERT INTO kv VALUES (?, ?) ON CONFLICT(key) DO UPDATE"
                    " SET value = excluded.value",
                    (_PREFIX + form_id, json.dumps({**form, "version": version})),
                )
                changed = True
        return changed


def answer_payload(
    form: dict[str, Any], answers: dict[str, Any], context: AnswerContext
) -> dict[str, Any]:
    """The `form_answer` payload; `FormAnswerError` if the answers do not fit the form."""
    kept = {k: v for k, v in answers.items() if v not in (None, "", [])}
    reason = check_answers(form, kept)
    if reason:
        raise FormAnswerError(reason)
    payload: dict[str, Any] = {
        "form_id": form["id"],
        "form_version": int(form["version"]),
        "answers": kept,
        "answered_at": context.answered_at,
    }
    for key in ("assignment_id", "route_id", "segment_id", "lat", "lon"):
        value = getattr(context, key)
        if value is not None:
            payload[key] = value
    return payload


def record_answer(
    outbox: Outbox, form: dict[str, Any], answers: dict[str, Any], context: AnswerContext
) -> int:
    """Commit the answer as a `form_answer` fact; returns its sequence number."""
    payload = answer_payload(form, answers, context)
    return outbox.append(
        "events",
        FORM_ANSWER,
        payload,
        assignment_version=context.assignment_version,
        gps_time=context.gps_time,
    )
