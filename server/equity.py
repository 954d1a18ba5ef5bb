"""The equity view: completion and days since the last sweep, per area (a sweeping
district or ward polygon imported like routes), so the pilot can see whether some
neighbourhoods are served worse than others.

A segment belongs to the area containing its middle vertex (pure-Python point in
polygon with a bounding-box prefilter; pilot scale is a few thousand segments).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from server.clock import parse_iso, utc_now
from server.dbapi import Connection
from server.importer import HOLDS_NUL

Ring = Sequence[Sequence[float]]
Polygon = Sequence[Ring]


class AreaImportError(ValueError):
    """An area file we cannot use; the message names the feature."""


def _polygons(geometry: Any) -> list[Polygon]:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coords: Any = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "Polygon" and isinstance(coords, list):
        return [coords]
    if kind == "MultiPolygon" and isinstance(coords, list):
        return list(coords)
    raise ValueError("geometry is not a Polygon or MultiPolygon")


def import_areas(
    conn: Connection,
    data: object,
    *,
    name_field: str,
    kind: str,
    id_prefix: str,
    attribution: str = "",
    replace: bool = False,
) -> list[str]:
    """Import one area per distinct `name_field` value (features sharing a name are
    merged into one MultiPolygon). All or nothing; returns the area ids."""
    if not isinstance(data, Mapping) or not isinstance(data.get("features"), list):
        raise AreaImportError("the file is not a GeoJSON FeatureCollection")
    if data.get("crs") is not None:
        raise AreaImportError("areas must be WGS84 GeoJSON without a 'crs' member")
    grouped: dict[str, list[Polygon]] = defaultdict(list)
    for index, feature in enumerate(data["features"]):
        props = feature.get("properties") if isinstance(feature, dict) else None
        name = props.get(name_field) if isinstance(props, dict) else None
        where = f"feature #{index}"
        if not isinstance(name, str | int) or str(name).strip() == "":
            raise AreaImportError(f"{where} has no {name_field!r}")
        if "\x00" in str(name):
            raise AreaImportError(f"{where} ({name_field} {name!r}) {HOLDS_NUL}")
        try:
            polygons = _polygons(feature.get("geometry"))
            for polygon in polygons:
                for ring in polygon:
                    if len(ring) < 4 or not all(
                        -180 <= float(p[0]) <= 180 and -90 <= float(p[1]) <= 90 for p in ring
                    ):
                        raise ValueError("a ring has fewer than 4 points or is outside WGS84")
        except (ValueError, TypeError, IndexError) as exc:
            raise AreaImportError(f"{where} ({name_field} {name!r}): {exc}") from None
        grouped[str(name).strip()].extend(polygons)
    if not grouped:
        raise AreaImportError("the file has no features")
    ids = []
    for name, polygons in sorted(grouped.items()):
        area_id = f"{id_prefix}{name}"
        exists = conn.execute("SELECT 1 FROM areas WHERE id = ?", (area_id,)).fetchone()
        if exists and not replace:
            raise AreaImportError(f"area {area_id!r} exists: use --replace")
        conn.execute(
            "INSERT INTO areas(id, name, kind, attribution, geometry_json) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind,"
            " attribution = excluded.attribution, geometry_json = excluded.geometry_json",
            (
                area_id,
                name,
                kind,
                attribution,
                json.dumps({"type": "MultiPolygon", "coordinates": polygons}),
            ),
        )
        ids.append(area_id)
    return ids


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _contains(polygons: Sequence[Polygon], x: float, y: float) -> bool:
    for polygon in polygons:
        if _in_ring(x, y, polygon[0]) and not any(_in_ring(x, y, h) for h in polygon[1:]):
            return True
    return False


def equity(conn: Connection, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per area: segments and length inside it, swept share (ever swept), the last sweep
    and days since, and the median days since last sweep over its segments."""
    now = now or utc_now()
    areas = []
    for row in conn.execute(
        "SELECT id, name, kind, attribution, geometry_json FROM areas ORDER BY id"
    ):
        geometry = json.loads(row["geometry_json"])
        polygons = geometry["coordinates"]
        xs = [p[0] for poly in polygons for p in poly[0]]
        ys = [p[1] for poly in polygons for p in poly[0]]
        areas.append((row, geometry, polygons, (min(xs), min(ys), max(xs), max(ys))))
    state = {
        (r["route_id"], r["segment_id"]): str(r["swept_at"])
        for r in conn.execute("SELECT route_id, segment_id, swept_at FROM segment_state")
    }
    totals: dict[str, dict[str, Any]] = {
        a[0]["id"]: {"segments": 0, "length_m": 0.0, "swept_m": 0.0, "ages": [], "last": None}
        for a in areas
    }
    for seg in conn.execute("SELECT route_id, segment_id, length_m, coords_json FROM segments"):
        coords = json.loads(seg["coords_json"])
        x, y = coords[len(coords) // 2][:2]
        for row, _geometry, polygons, (x0, y0, x1, y1) in areas:
            if not (x0 <= x <= x1 and y0 <= y <= y1) or not _contains(polygons, x, y):
                continue
            total = totals[row["id"]]
            total["segments"] += 1
            total["length_m"] += float(seg["length_m"])
            swept_at = state.get((seg["route_id"], seg["segment_id"]))
            moment = parse_iso(swept_at) if swept_at else None
            if moment is not None and swept_at is not None:
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=UTC)
                total["swept_m"] += float(seg["length_m"])
                total["ages"].append((now - moment).total_seconds() / 86400)
                previous = total["last"]
                total["last"] = swept_at if previous is None else max(str(previous), swept_at)
            break
    out = []
    for row, geometry, _polygons, _box in areas:
        total = totals[row["id"]]
        ages = sorted(total["ages"])
        last = total["last"]
        last_moment = parse_iso(last) if last else None
        if last_moment is not None and last_moment.tzinfo is None:
            last_moment = last_moment.replace(tzinfo=UTC)
        out.append(
            {
                "id": row["id"],
                "name": row["name"],
                "kind": row["kind"],
                "attribution": row["attribution"],
                "segments": total["segments"],
                "length_m": round(total["length_m"], 1),
                "swept_m": round(total["swept_m"], 1),
                "completion_pct": round(100 * total["swept_m"] / total["length_m"], 1)
                if total["length_m"]
                else 0.0,
                "last_swept_at": last,
                "days_since_last_sweep": round((now - last_moment).total_seconds() / 86400, 2)
                if last_moment
                else None,
                "median_days_since_sweep": round(ages[len(ages) // 2], 2) if ages else None,
                "geometry": geometry,
            }
        )
    return out
