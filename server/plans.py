"""What the server plans and the tablet only reads: routes, segments, assignments.

Every change to an assignment goes through `put_assignment` / `delete_assignment`, which
append to the change log in the same transaction, so the pull cursor can never miss a
change or see one that was rolled back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from server.clock import server_time
from server.coverage_profile import profile_value
from server.dbapi import Connection, Row

Coord = tuple[float, float]


@dataclass(frozen=True, slots=True)
class PlannedSegment:
    id: str
    street: str
    length_m: float
    lanes: int
    oneway: bool
    coords: tuple[Coord, ...]


@dataclass(frozen=True, slots=True)
class PlannedRoute:
    id: str
    name: str
    segments: tuple[PlannedSegment, ...]
    attribution: str = ""

    @property
    def length_m(self) -> float:
        return round(sum(s.length_m for s in self.segments), 1)


def insert_route(conn: Connection, route: PlannedRoute) -> None:
    conn.execute(
        "INSERT INTO routes(id, name, attribution, length_m) VALUES (?, ?, ?, ?)",
        (route.id, route.name, route.attribution, route.length_m),
    )
    insert_segments(conn, route)


def insert_segments(conn: Connection, route: PlannedRoute) -> None:
    conn.executemany(
        "INSERT INTO segments(route_id, segment_id, ord, street, length_m, lanes, oneway,"
        " coords_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                route.id,
                s.id,
                i,
                s.street,
                s.length_m,
                s.lanes,
                int(s.oneway),
                json.dumps([list(c) for c in s.coords], separators=(",", ":")),
            )
            for i, s in enumerate(route.segments)
        ],
    )


def route_value(conn: Connection, route_id: str) -> dict[str, Any] | None:
    """The route as the API describes it, segments as a GeoJSON FeatureCollection."""
    row = conn.execute(
        "SELECT id, name, attribution, length_m FROM routes WHERE id = ?", (route_id,)
    ).fetchone()
    if row is None:
        return None
    features = [
        {
            "type": "Feature",
            "id": s["segment_id"],
            "geometry": {"type": "LineString", "coordinates": json.loads(s["coords_json"])},
            "properties": {
                "id": s["segment_id"],
                "street": s["street"],
                "length_m": s["length_m"],
                "lanes": s["lanes"],
                "oneway": bool(s["oneway"]),
            },
        }
        for s in conn.execute(
            "SELECT segment_id, street, length_m, lanes, oneway, coords_json FROM segments"
            " WHERE route_id = ? ORDER BY ord",
            (route_id,),
        )
    ]
    return {
        "id": row["id"],
        "name": row["name"],
        "length_m": row["length_m"],
        "attribution": row["attribution"],
        "segments": {"type": "FeatureCollection", "features": features},
    }


def segment_exists(conn: Connection, route_id: str, segment_id: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM segments WHERE route_id = ? AND segment_id = ?", (route_id, segment_id)
        ).fetchone()
        is not None
    )


def _assignment_value(conn: Connection, row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "version": row["version"],
        "date": row["date"],
        "operator": row["operator"],
        "device_id": row["device_id"],
        "vehicle": row["vehicle"],
        "route": route_value(conn, row["route_id"]),
        "coverage_profile": profile_value(conn),
    }


_ASSIGNMENT_COLUMNS = "id, version, date, operator, device_id, vehicle, route_id"
_CHANGEABLE = ("date", "operator", "device_id", "vehicle", "route_id")


def assignment_value(conn: Connection, assignment_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments WHERE id = ?", (assignment_id,)
    ).fetchone()
    return None if row is None else _assignment_value(conn, row)


def assignments_on(conn: Connection, day: str, operator: str | None) -> list[dict[str, Any]]:
    """Assignments of `day`; of one operator, or of everyone when `operator` is None."""
    if operator is None:
        rows = conn.execute(
            f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments WHERE date = ? ORDER BY id", (day,)
        ).fetchall()
    else:
        rows = conn.execute(
            f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments WHERE date = ? AND operator = ?"
            " ORDER BY id",
            (day, operator),
        ).fetchall()
    return [_assignment_value(conn, r) for r in rows]


def current_assignments_page(
    conn: Connection, *, since_day: str, operator: str | None, after_id: str, limit: int
) -> list[dict[str, Any]]:
    """Assignments dated `since_day` or later, by id after `after_id` (reset snapshots)."""
    sql = f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments WHERE date >= ? AND id > ?"
    params: list[Any] = [since_day, after_id]
    if operator is not None:
        sql += " AND operator = ?"
        params.append(operator)
    rows = conn.execute(sql + " ORDER BY id LIMIT ?", [*params, limit]).fetchall()
    return [_assignment_value(conn, r) for r in rows]


def route_assigned_to(conn: Connection, route_id: str, operator: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM assignments WHERE route_id = ? AND operator = ? LIMIT 1",
            (route_id, operator),
        ).fetchone()
        is not None
    )


def assignment_version(conn: Connection, assignment_id: str) -> int | None:
    row = conn.execute("SELECT version FROM assignments WHERE id = ?", (assignment_id,)).fetchone()
    return None if row is None else int(row[0])


def _log(
    conn: Connection,
    *,
    operator: str,
    op: str,
    entity_id: str,
    version: int,
    value: dict[str, Any] | None,
) -> None:
    conn.execute(
        "INSERT INTO change_log(operator, entity, entity_id, op, version, value_json, created_at)"
        " VALUES (?, 'assignment', ?, ?, ?, ?, ?)",
        (
            operator,
            entity_id,
            op,
            version,
            None if value is None else json.dumps(value, separators=(",", ":")),
            server_time(),
        ),
    )


def put_assignment(
    conn: Connection,
    *,
    assignment_id: str,
    date: str,
    operator: str,
    device_id: str,
    vehicle: str,
    route_id: str,
) -> int:
    """Create or change an assignment (version bumped on change); returns its version.

    Call inside a write transaction. A reassignment to another operator logs a `del` for
    the previous operator's tablets and a `put` for the new one's.
    """
    old = conn.execute(
        f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments WHERE id = ?", (assignment_id,)
    ).fetchone()
    fields = (date, operator, device_id, vehicle, route_id)
    if old is not None:
        if tuple(old[k] for k in _CHANGEABLE) == fields:
            return int(old["version"])
        version = int(old["version"]) + 1
        conn.execute(
            "UPDATE assignments SET version = ?, date = ?, operator = ?, device_id = ?,"
            " vehicle = ?, route_id = ? WHERE id = ?",
            (version, *fields, assignment_id),
        )
        if old["operator"] != operator:
            _log(
                conn,
                operator=old["operator"],
                op="del",
                entity_id=assignment_id,
                version=version,
                value=None,
            )
    else:
        version = 1
        conn.execute(
            f"INSERT INTO assignments({_ASSIGNMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (assignment_id, version, *fields),
        )
    _log(
        conn,
        operator=operator,
        op="put",
        entity_id=assignment_id,
        version=version,
        value=assignment_value(conn, assignment_id),
    )
    return version


def delete_assignment(conn: Connection, assignment_id: str) -> bool:
    old = conn.execute(
        "SELECT operator, version FROM assignments WHERE id = ?", (assignment_id,)
    ).fetchone()
    if old is None:
        return False
    conn.execute("DELETE FROM assignments WHERE id = ?", (assignment_id,))
    _log(
        conn,
        operator=old["operator"],
        op="del",
        entity_id=assignment_id,
        version=int(old["version"]) + 1,
        value=None,
    )
    return True


def touch_route_assignments(conn: Connection, route_id: str) -> int:
    """The route's geometry changed: bump every assignment using it so tablets re-pull
    it (and facts about the old geometry are flagged stale). Returns how many."""
    rows = conn.execute(
        "SELECT id, operator, version FROM assignments WHERE route_id = ?", (route_id,)
    ).fetchall()
    for row in rows:
        version = int(row["version"]) + 1
        conn.execute("UPDATE assignments SET version = ? WHERE id = ?", (version, row["id"]))
        _log(
            conn,
            operator=row["operator"],
            op="put",
            entity_id=row["id"],
            version=version,
            value=assignment_value(conn, row["id"]),
        )
    return len(rows)
