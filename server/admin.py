"""Administration shared by the command line and the admin endpoints: users, devices,
assignments, listings.

Every function takes an open connection (the caller owns the transaction) and raises
`AdminError` with plain words naming what was wrong; nothing here knows about HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date
from typing import Any, Final

from server.auth import ROLES, end_sessions, upsert_user
from server.dbapi import Connection, Row
from server.ids import NAME_RE, safe_id
from server.plans import delete_assignment, put_assignment
from server.settings import Settings

MIN_PASSWORD: Final = 8


class AdminError(ValueError):
    """A refused administrative change (status 404 for a missing thing, else 422)."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


def _check_name(kind: str, value: str) -> None:
    if not NAME_RE.match(value):
        raise AdminError(
            f"{kind} {value!r} must be 1–128 letters, digits or . _ @ - (starting with a"
            " letter or digit)"
        )


def create_user(
    conn: Connection,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str,
    settings: Settings,
) -> dict[str, Any]:
    """Create the account, or update its password, role and name if it exists (a reset:
    every session it had ends, so an old token cannot outlive a new password or role)."""
    _check_name("username", username)
    if role not in ROLES:
        raise AdminError(f"role {role!r} is not one of {', '.join(sorted(ROLES))}")
    if len(password) < MIN_PASSWORD:
        raise AdminError(f"password must have at least {MIN_PASSWORD} characters")
    existed = conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone()
    upsert_user(
        conn,
        username=username,
        password=password,
        role=role,
        display_name=display_name or username,
        settings=settings,
    )
    conn.execute("UPDATE users SET disabled = 0 WHERE username = ?", (username,))
    if existed:
        end_sessions(conn, username)
    return get_user(conn, username)


def get_user(conn: Connection, username: str) -> dict[str, Any]:
    row = conn.execute(
        "SELECT username, role, display_name, disabled FROM users WHERE username = ?",
        (username,),
    ).fetchone()
    if row is None:
        raise AdminError(f"no user {username!r}", missing=True)
    return {
        "username": row["username"],
        "role": row["role"],
        "display_name": row["display_name"],
        "disabled": bool(row["disabled"]),
    }


def set_user_disabled(conn: Connection, username: str, disabled: bool) -> dict[str, Any]:
    """Disable (or re-enable) an account; disabling also ends its sessions."""
    get_user(conn, username)
    conn.execute("UPDATE users SET disabled = ? WHERE username = ?", (int(disabled), username))
    if disabled:
        end_sessions(conn, username)
    return get_user(conn, username)


def list_users(conn: Connection) -> list[dict[str, Any]]:
    return [
        get_user(conn, r[0]) for r in conn.execute("SELECT username FROM users ORDER BY username")
    ]


def upsert_device(conn: Connection, *, device_id: str, vehicle: str) -> dict[str, Any]:
    _check_name("device_id", device_id)
    if not vehicle.strip():
        raise AdminError("vehicle must not be empty")
    conn.execute(
        "INSERT INTO devices(device_id, vehicle) VALUES (?, ?)"
        " ON CONFLICT(device_id) DO UPDATE SET vehicle = excluded.vehicle",
        (device_id, vehicle),
    )
    return {"device_id": device_id, "vehicle": vehicle}


def list_devices(conn: Connection) -> list[dict[str, Any]]:
    return [
        {"device_id": r["device_id"], "vehicle": r["vehicle"]}
        for r in conn.execute("SELECT device_id, vehicle FROM devices ORDER BY device_id")
    ]


@dataclass(frozen=True, slots=True)
class AssignmentRequest:
    date: str
    operator: str
    device_id: str
    route_id: str
    vehicle: str | None = None
    assignment_id: str | None = None


def assign(conn: Connection, request: AssignmentRequest) -> dict[str, Any]:
    """Create or change an assignment; the change reaches the tablets through pull."""
    try:
        Date.fromisoformat(request.date)
    except ValueError:
        raise AdminError(f"date {request.date!r} is not YYYY-MM-DD") from None
    operator = conn.execute(
        "SELECT role FROM users WHERE username = ?", (request.operator,)
    ).fetchone()
    if operator is None:
        raise AdminError(f"no user {request.operator!r}", missing=True)
    if operator["role"] != "operator":
        raise AdminError(f"{request.operator!r} is a {operator['role']}, not an operator")
    device = conn.execute(
        "SELECT vehicle FROM devices WHERE device_id = ?", (request.device_id,)
    ).fetchone()
    if device is None:
        raise AdminError(f"no device {request.device_id!r}: add it first", missing=True)
    if conn.execute("SELECT 1 FROM routes WHERE id = ?", (request.route_id,)).fetchone() is None:
        raise AdminError(f"no route {request.route_id!r}", missing=True)
    # The default id is derived safely: a route imported before route ids were made
    # safe ("syr-Route 2") can still be assigned without inventing an id by hand.
    assignment_id = request.assignment_id or safe_id(f"asg-{request.date}-{request.route_id}")
    _check_name("assignment id", assignment_id)
    if request.assignment_id is None:
        taken = conn.execute(
            "SELECT route_id FROM assignments WHERE id = ?", (assignment_id,)
        ).fetchone()
        if taken is not None and taken["route_id"] != request.route_id:
            raise AdminError(
                f"assignment {assignment_id!r} already exists for route {taken['route_id']!r}:"
                " give this one its own id (--id)"
            )
    put_assignment(
        conn,
        assignment_id=assignment_id,
        date=request.date,
        operator=request.operator,
        device_id=request.device_id,
        vehicle=request.vehicle or str(device["vehicle"]),
        route_id=request.route_id,
    )
    return get_assignment(conn, assignment_id)


def unassign(conn: Connection, assignment_id: str) -> None:
    if not delete_assignment(conn, assignment_id):
        raise AdminError(f"no assignment {assignment_id!r}", missing=True)


_SUMMARY = (
    "SELECT a.id, a.version, a.date, a.operator, a.device_id, a.vehicle, a.route_id,"
    " r.name AS route_name FROM assignments a JOIN routes r ON r.id = a.route_id"
)


def _summary(row: Row) -> dict[str, Any]:
    return {k: row[k] for k in row.keys()}  # noqa: SIM118 (Row is not a mapping)


def get_assignment(conn: Connection, assignment_id: str) -> dict[str, Any]:
    row = conn.execute(_SUMMARY + " WHERE a.id = ?", (assignment_id,)).fetchone()
    if row is None:
        raise AdminError(f"no assignment {assignment_id!r}", missing=True)
    return _summary(row)


def list_assignments(
    conn: Connection, *, day: str | None = None, operator: str | None = None
) -> list[dict[str, Any]]:
    """Assignment summaries (no geometry), filtered by date and/or operator."""
    sql, params = _SUMMARY + " WHERE 1 = 1", []
    if day is not None:
        sql += " AND a.date = ?"
        params.append(day)
    if operator is not None:
        sql += " AND a.operator = ?"
        params.append(operator)
    return [_summary(r) for r in conn.execute(sql + " ORDER BY a.date, a.id", params)]


def list_routes(conn: Connection, operator: str | None = None) -> list[dict[str, Any]]:
    """Routes with their segment counts; of one operator's assignments when given."""
    sql = (
        "SELECT r.id, r.name, r.length_m, r.attribution, COUNT(s.segment_id) AS segment_count"
        " FROM routes r LEFT JOIN segments s ON s.route_id = r.id"
    )
    params: list[Any] = []
    if operator is not None:
        sql += " WHERE r.id IN (SELECT route_id FROM assignments WHERE operator = ?)"
        params.append(operator)
    return [_summary(r) for r in conn.execute(sql + " GROUP BY r.id ORDER BY r.id", params)]
