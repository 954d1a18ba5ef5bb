"""Forms on the server: versioned definitions, the change log entries tablets pull, and
checking a pushed `form_answer` against the version it names.

Saving a definition whose content differs from the latest version makes a new version;
every version is kept, because answers recorded offline name the version they were
given on. The rules of a valid definition and answer live in `wire.forms` (shared with
the tablet).
"""

from __future__ import annotations

import json
from typing import Any, Final

from server.clock import server_time
from server.dbapi import Connection, Row
from wire.forms import FormDefinitionError, check_answers, check_definition

EVERYONE: Final = "*"  # change_log.operator for changes every tablet pulls
FORM_ENTITY: Final = "form"

__all__ = ["FormDefinitionError", "form_answer_problem", "get_form", "list_forms", "save_form"]


def _row_value(row: Row) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(row["definition_json"])
    value["version"] = int(row["version"])
    return value


def save_form(conn: Connection, definition: object, created_by: str) -> dict[str, Any]:
    """Store a new version of the form (unless identical to the latest); returns it with
    `version`. `FormDefinitionError` names the question if the definition is invalid."""
    normalised = check_definition(definition)
    text = json.dumps(normalised, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    latest = conn.execute(
        "SELECT version, definition_json FROM forms WHERE id = ? ORDER BY version DESC LIMIT 1",
        (normalised["id"],),
    ).fetchone()
    if latest is not None and latest["definition_json"] == text:
        return _row_value(latest)
    version = 1 if latest is None else int(latest["version"]) + 1
    now = server_time()
    conn.execute(
        "INSERT INTO forms(id, version, definition_json, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (normalised["id"], version, text, created_by, now),
    )
    value = {**normalised, "version": version}
    conn.execute(
        "INSERT INTO change_log(operator, entity, entity_id, op, version, value_json, created_at)"
        " VALUES (?, ?, ?, 'put', ?, ?, ?)",
        (EVERYONE, FORM_ENTITY, normalised["id"], version, json.dumps(value), now),
    )
    return value


def get_form(conn: Connection, form_id: str, version: int | None = None) -> dict[str, Any] | None:
    if version is None:
        row = conn.execute(
            "SELECT version, definition_json FROM forms WHERE id = ? ORDER BY version DESC LIMIT 1",
            (form_id,),
        ).fetchone()
    else:
        row = conn.execute(
            "SELECT version, definition_json FROM forms WHERE id = ? AND version = ?",
            (form_id, version),
        ).fetchone()
    return None if row is None else _row_value(row)


def list_forms(conn: Connection) -> list[dict[str, Any]]:
    """The latest version of every form, by id."""
    rows = conn.execute(
        "SELECT f.version, f.definition_json FROM forms f"
        " WHERE f.version = (SELECT MAX(version) FROM forms g WHERE g.id = f.id) ORDER BY f.id"
    ).fetchall()
    return [_row_value(r) for r in rows]


def form_changes(conn: Connection) -> list[dict[str, Any]]:
    """Pull `put`s for the latest version of every form (reset snapshots)."""
    return [
        {"op": "put", "entity": FORM_ENTITY, "id": f["id"], "version": f["version"], "value": f}
        for f in list_forms(conn)
    ]


def form_answer_problem(conn: Connection, payload: dict[str, Any]) -> str | None:
    """Why a `form_answer` payload does not fit the form version it names, or None."""
    version = payload.get("form_version")
    if not isinstance(version, int) or isinstance(version, bool):
        return "form_answer payload needs an integer 'form_version'"
    form = get_form(conn, str(payload["form_id"]), version)
    if form is None:
        return f"form {payload['form_id']!r} has no version {version}"
    reason = check_answers(form, payload.get("answers"))
    return None if reason is None else f"form {form['id']!r} v{version}: {reason}"
