"""Which tablet an operator may speak for, and whose assignment a fact may count for.

A login names a device; the token is then bound to it, so the device is only as
trustworthy as the check made here. An operator may name an enrolled tablet they hold
an assignment on for today (or yesterday, for a shift that crosses midnight), counting
earlier versions of that assignment: a tablet the route was taken from while it was
offline must still log in to upload what it recorded. A configured pool of spare
tablets stands in for a broken one.

Facts name the assignment they were recorded for. They count only when the pushing
device and account hold that assignment now, or held it at the version the fact names
(the route was reassigned while the tablet was offline).
The change log keeps every version of every assignment (`server.plans`), so "held at
that version" is a lookup, not a guess.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from server.auth import User
from server.dbapi import Connection


@dataclass(frozen=True, slots=True)
class Holding:
    """How a fact's assignment relates to the device and account that pushed it."""

    # Why the fact must not count for anyone (None: it may).
    problem: str | None
    # Counts, but the assignment changed since the tablet last saw it.
    stale: bool = False


def spare_pool(setting: str) -> frozenset[str]:
    return frozenset(d.strip() for d in setting.split(",") if d.strip())


def login_device_problem(
    conn: Connection, user: User, device_id: str, spares: frozenset[str], today: date
) -> str | None:
    """Why `user` may not log in naming `device_id`, in plain words (None: they may)."""
    enrolled = conn.execute("SELECT 1 FROM devices WHERE device_id = ?", (device_id,)).fetchone()
    if enrolled is None:
        return f"tablet {device_id!r} is not enrolled: ask an administrator to add it"
    if device_id in spares:
        return None
    days = (today.isoformat(), (today - timedelta(days=1)).isoformat())
    if _held_on(conn, user.username, device_id, days):
        return None
    return (
        f"tablet {device_id!r} is not assigned to you today: log in on your own tablet, "
        "or ask your supervisor to assign this one"
    )


def _held_on(conn: Connection, operator: str, device_id: str, days: tuple[str, ...]) -> bool:
    marks = ",".join("?" * len(days))
    if conn.execute(
        f"SELECT 1 FROM assignments WHERE operator = ? AND device_id = ? AND date IN ({marks})"
        " LIMIT 1",
        (operator, device_id, *days),
    ).fetchone():
        return True
    return (
        conn.execute(
            "SELECT 1 FROM change_log WHERE operator = ? AND entity = 'assignment' AND op = 'put'"
            " AND json_extract(value_json, '$.device_id') = ?"
            f" AND json_extract(value_json, '$.date') IN ({marks}) LIMIT 1",
            (operator, device_id, *days),
        ).fetchone()
        is not None
    )


def _version_held(
    conn: Connection, assignment_id: str, version: int, username: str
) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT value_json FROM change_log WHERE entity = 'assignment' AND entity_id = ?"
        " AND op = 'put' AND version = ? AND operator = ? ORDER BY change_id DESC LIMIT 1",
        (assignment_id, version, username),
    ).fetchone()
    if row is None or row["value_json"] is None:
        return None
    value = json.loads(row["value_json"])
    return value if isinstance(value, dict) else None


def holding(
    conn: Connection,
    user: User,
    device_id: str,
    payload: dict[str, Any],
    version: int | None,
) -> Holding:
    """Whether a fact about `payload`'s assignment (and route) may count for its crew."""
    assignment_id = payload.get("assignment_id")
    route_id = payload.get("route_id")
    if not isinstance(assignment_id, str):
        if isinstance(route_id, str) and not _route_held(conn, user.username, route_id):
            return Holding(f"route {route_id!r} is not assigned to you: kept, not counted")
        return Holding(None)
    current = conn.execute(
        "SELECT version, operator, device_id, route_id FROM assignments WHERE id = ?",
        (assignment_id,),
    ).fetchone()
    ours_now = (
        current is not None
        and current["operator"] == user.username
        and current["device_id"] == device_id
    )
    then = None if version is None else _version_held(conn, assignment_id, version, user.username)
    held_then = then is not None and then.get("device_id") == device_id
    if not ours_now and not held_then:
        return Holding(
            f"assignment {assignment_id!r} is not this tablet's (device {device_id!r}, "
            f"account {user.username!r}): kept, not counted"
        )
    routes: set[object] = set()
    if held_then and then is not None:
        route = then.get("route")
        routes.add(route.get("id") if isinstance(route, dict) else None)
    if ours_now and current is not None:
        routes.add(current["route_id"])
    if isinstance(route_id, str) and route_id not in routes:
        return Holding(
            f"route {route_id!r} is not the route of assignment {assignment_id!r}: "
            "kept, not counted"
        )
    up_to_date = ours_now and current is not None and int(current["version"]) == version
    return Holding(None, stale=not up_to_date)


def _route_held(conn: Connection, username: str, route_id: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM assignments WHERE route_id = ? AND operator = ? LIMIT 1",
            (route_id, username),
        ).fetchone()
        is not None
    )
