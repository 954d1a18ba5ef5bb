"""Cached assignments and routes: what the server last told this tablet to sweep.

Pulled changes are validated before anything is written; a bad feature is refused with
a message naming it, and the routes already cached stay as they were. A `reset` pull
replaces everything in one transaction so no screen ever sees an empty table.
"""

from __future__ import annotations

import json
import logging
import math
from datetime import date
from typing import Any

from client.clock import SYSTEM_CLOCK, Clock
from client.models import Assignment
from client.store import Store
from coverage.model import Route, Segment
from coverage.profiles import DEFAULT_PROFILE, profile_from_wire

MAX_COORDS_PER_SEGMENT = 10_000
log = logging.getLogger("sweepline.assignments")


class BadRouteData(ValueError):
    """The server sent route data we cannot use; the message names the feature."""


def parse_assignment(value: dict[str, Any]) -> Assignment:
    try:
        route = value["route"]
        features = route["segments"]["features"]
        segments = tuple(_parse_segment(i, f) for i, f in enumerate(features))
        profile = value.get("coverage_profile")
        return Assignment(
            id=str(value["id"]),
            version=int(value["version"]),
            date=str(value["date"]),
            operator=str(value["operator"]),
            device_id=str(value["device_id"]),
            vehicle=str(value.get("vehicle") or ""),
            route=Route(id=str(route["id"]), name=str(route["name"]), segments=segments),
            coverage_profile=DEFAULT_PROFILE if profile is None else profile_from_wire(profile),
        )
    except BadRouteData:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise BadRouteData(f"assignment {value.get('id')!r} is malformed: {exc!r}") from exc


def _parse_segment(index: int, feature: Any) -> Segment:
    fid = feature.get("id") if isinstance(feature, dict) else None
    where = f"segment #{index} (id {fid!r})"
    if not isinstance(feature, dict):
        raise BadRouteData(f"{where} is not a GeoJSON feature")
    geometry = feature.get("geometry") or {}
    if geometry.get("type") != "LineString":
        raise BadRouteData(f"{where} has no LineString geometry")
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2:
        raise BadRouteData(f"{where} has fewer than two coordinates")
    if len(coords) > MAX_COORDS_PER_SEGMENT:
        raise BadRouteData(
            f"{where} has {len(coords)} coordinates (limit {MAX_COORDS_PER_SEGMENT})"
        )
    points: list[tuple[float, float]] = []
    for c in coords:
        if not (isinstance(c, list) and len(c) >= 2):
            raise BadRouteData(f"{where} has a coordinate that is not [lon, lat]")
        lon, lat = float(c[0]), float(c[1])
        if not (
            math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90
        ):
            raise BadRouteData(f"{where} has coordinates outside WGS84 (lon {lon}, lat {lat})")
        points.append((lon, lat))
    props = feature.get("properties") or {}
    try:
        return Segment(
            id=str(props.get("id", fid)),
            street=str(props.get("street") or ""),
            length_m=float(props["length_m"]),
            lanes=int(props.get("lanes") or 1),
            oneway=bool(props.get("oneway")),
            coords=tuple(points),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BadRouteData(f"{where} has bad properties: {exc!r}") from exc


class AssignmentCache:
    def __init__(self, store: Store, clock: Clock = SYSTEM_CLOCK) -> None:
        self._store = store
        self._clock = clock

    def all(self) -> list[Assignment]:
        """Every cached assignment; a row that no longer decodes is skipped (and logged):
        the next pull replaces it, and one bad row must not stop the tablet."""
        rows = self._store.conn.execute(
            "SELECT CAST(id AS BLOB) AS id, CAST(value AS BLOB) AS value FROM assignment"
            " ORDER BY date, id"
        )
        out = []
        for row in rows:
            try:
                out.append(parse_assignment(json.loads(bytes(row["value"]).decode("utf-8"))))
            except ValueError as exc:
                name = bytes(row["id"]).decode("utf-8", "replace")
                log.warning("skipped cached assignment %r: it cannot be read (%s)", name, exc)
        return out

    def current(self, today: date | None = None) -> Assignment | None:
        """Today's assignment if there is one, else the most recent one."""
        assignments = self.all()
        if not assignments:
            return None
        wanted = (today or self._clock.today()).isoformat()
        for a in assignments:
            if a.date == wanted:
                return a
        return assignments[-1]

    def apply_pull(self, response: dict[str, Any], staged: list[dict[str, Any]]) -> bool:
        """Apply a complete pull (all its pages in `staged`) with its cursor, atomically.

        Returns whether any cached assignment changed.
        """
        puts: dict[str, dict[str, Any]] = {}
        deletes: set[str] = set()
        for change in staged:
            if change.get("entity") != "assignment":
                continue
            cid = str(change["id"])
            if change.get("op") == "del":
                deletes.add(cid)
                puts.pop(cid, None)
            else:
                parse_assignment(change["value"])
                puts[cid] = change["value"]
                deletes.discard(cid)
        reset = bool(response.get("reset"))
        with self._store.transaction() as conn:
            if reset:
                conn.execute("DELETE FROM assignment")
            for cid in deletes:
                conn.execute("DELETE FROM assignment WHERE id = ?", (cid,))
            for cid, value in puts.items():
                conn.execute(
                    "INSERT INTO assignment VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE"
                    " SET version = excluded.version, date = excluded.date, value = excluded.value",
                    (cid, int(value["version"]), str(value["date"]), json.dumps(value)),
                )
            conn.execute(
                "INSERT INTO kv VALUES ('pull_cursor', ?) ON CONFLICT(key)"
                " DO UPDATE SET value = excluded.value",
                (str(response.get("cursor") or ""),),
            )
        return reset or bool(puts) or bool(deletes)

    def cursor(self) -> str | None:
        return self._store.get_kv("pull_cursor") or None
