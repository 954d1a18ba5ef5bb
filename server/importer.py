"""Route import: GeoJSON street layers → routes and segments, all or nothing.

A layer is read with a field mapping: which property is the segment id, the street name,
the lane count, the one-way flag, and which property groups features into routes (or
one route for the whole file). Presets cover the layers the pilot cities publish: the
City of Kitchener Roads schema (provincial `MTO` roads excluded), OpenStreetMap ways,
and the Cambridge MA centrelines with `sweep_district` as the route.

Coordinates must be WGS84 longitude/latitude (RFC 7946); `server.crs` converts Web
Mercator and refuses other systems. A file that declares no CRS but whose coordinates
are not longitude/latitude is refused. Every problem names the feature (index in the
file and id). Nothing is written unless every feature is valid, and the whole import is
one transaction.

A field named on the command line that no feature has is an error naming it and the
fields there are (a misspelt `--lanes-field` once gave every segment one lane). Route
ids are derived from the route value as ids every command accepts (`Route 2` becomes
`Route-2`) and the summary names them. Attribution comes only from the file itself or
`--attribution`: a preset describes a schema, not who published the data.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from server.crs import CrsError, converter
from server.dbapi import Connection
from server.geo import Coord, line_length_m
from server.ids import safe_id
from server.import_mapping import (
    PRESETS,
    FieldMapping,
    RouteImportError,
    check_named_fields,
    mapping_for,
    source_attribution,
)
from server.plans import (
    PlannedRoute,
    PlannedSegment,
    insert_route,
    insert_segments,
    touch_route_assignments,
)

MAX_COORDS_PER_FEATURE: Final = 20_000
MAX_ERRORS_SHOWN: Final = 20
# The mapping is chosen with `mapping_for`, re-exported here for the importer's callers.
__all__ = [
    "PRESETS",
    "FieldMapping",
    "ImportSummary",
    "RouteImportError",
    "collect",
    "import_routes",
    "load_geojson",
    "mapping_for",
]


@dataclass(frozen=True, slots=True)
class ImportSummary:
    routes: tuple[str, ...]
    segments: int
    skipped: int
    excluded: int
    replaced: tuple[str, ...]
    attribution: str = ""
    # Route id → the value it was derived from, where the two differ.
    derived: Mapping[str, str] = field(default_factory=dict)
    suggested_attribution: str = ""

    def describe(self) -> str:
        text = f"imported {len(self.routes)} route(s), {self.segments} segment(s)"
        if self.replaced:
            text += f" (replaced {', '.join(self.replaced)})"
        if self.excluded:
            text += f"; {self.excluded} feature(s) excluded by the mapping"
        if self.skipped:
            text += f"; {self.skipped} feature(s) without a route value skipped"
        ids = [f"{r} (from {self.derived[r]!r})" if r in self.derived else r for r in self.routes]
        text += "\nroute ids: " + ", ".join(ids)
        if self.attribution:
            text += f"\nattribution: {self.attribution}"
        else:
            text += (
                "\nattribution: none (the file declares none); if the data's licence asks"
                " for one, import again with --replace --attribution 'NOTICE'"
            )
            if self.suggested_attribution:
                text += f", e.g. --attribution {self.suggested_attribution!r}"
        return text


# Text no store keeps alike: PostgreSQL's text cannot hold U+0000 (SQLite's can).
HOLDS_NUL: Final = "holds U+0000 (NUL), which the database cannot store: remove it"


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _first(props: Mapping[str, Any], names: Sequence[str]) -> str | None:
    for name in names:
        text = _text(props.get(name))
        if text is not None:
            return text
    return None


@dataclass
class _Collected:
    routes: dict[str, list[PlannedSegment]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    skipped: int = 0
    excluded: int = 0
    # Route id → the text it was derived from.
    sources: dict[str, str] = field(default_factory=dict)

    def route(self, text: str) -> str:
        """The safe id for this route value; two values making one id are refused."""
        rid = safe_id(text)
        if not rid:
            raise RouteImportError(f"route {text!r} makes no usable id: name it with letters")
        first = self.sources.setdefault(rid, text)
        if first != text:
            raise RouteImportError(
                f"routes {first!r} and {text!r} both make the route id {rid!r}, nothing was"
                " imported: make the values differ in letters or digits"
            )
        return rid

    def fail(self, where: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_SHOWN:
            self.errors.append(f"{where}: {message}")


def _parts(geometry: object) -> list[Any]:
    if not isinstance(geometry, Mapping):
        raise ValueError("has no geometry")
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "LineString":
        return [coords]
    if kind == "MultiLineString":
        if not isinstance(coords, list) or not coords:
            raise ValueError("MultiLineString has no lines")
        return list(coords)
    raise ValueError(f"geometry is {kind!r}; only LineString and MultiLineString are streets")


def _line(raw: object, convert: Any, declared: bool) -> tuple[Coord, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise ValueError("a line needs at least two positions")
    if len(raw) > MAX_COORDS_PER_FEATURE:
        raise ValueError(f"has {len(raw)} positions, more than {MAX_COORDS_PER_FEATURE}")
    out: list[Coord] = []
    for position in raw:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(
                isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                for v in position[:2]
            )
        ):
            raise ValueError(f"position {json.dumps(position)[:60]} is not a pair of numbers")
        x, y = float(position[0]), float(position[1])
        lon, lat = convert(x, y) if convert else (x, y)
        if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
            hint = "" if declared else " (the file declares no CRS; GeoJSON must be WGS84)"
            raise ValueError(f"position ({x}, {y}) is not longitude/latitude{hint}")
        point = (round(lon, 7), round(lat, 7))
        if not out or out[-1] != point:
            out.append(point)
    if len(out) < 2:
        raise ValueError("line is degenerate (all positions are the same point)")
    return tuple(out)


def _lanes(value: object) -> int:
    if value is None or value == "":
        return 1
    try:
        lanes = int(float(str(value).split(";")[0]))
    except ValueError:
        raise ValueError(f"lanes {value!r} is not a number") from None
    if not 1 <= lanes <= 20:
        raise ValueError(f"lanes {value!r} is outside 1–20")
    return lanes


def collect(data: object, mapping: FieldMapping, route_id: str | None) -> _Collected:
    """Validate every feature and group the segments into routes (no database access)."""
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise RouteImportError("the file is not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise RouteImportError("the FeatureCollection has no 'features' list")
    if mapping.route_field is None and not route_id:
        raise RouteImportError("this mapping has no route field: name the route with --route-id")
    check_named_fields(features, mapping)
    try:
        convert = converter(data)
    except CrsError as exc:
        raise RouteImportError(str(exc)) from None
    declared = data.get("crs") is not None
    result = _Collected()
    seen: set[tuple[str, str]] = set()
    for index, feature in enumerate(features):
        props = feature.get("properties") if isinstance(feature, Mapping) else None
        props = props if isinstance(props, Mapping) else {}
        fid = _first(props, mapping.id_fields)
        if fid is None and isinstance(feature, Mapping):
            fid = _text(feature.get("id"))
        where = f"feature {index} (id {fid!r})" if fid else f"feature {index} (no id)"
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            result.fail(where, "is not a GeoJSON Feature")
            continue
        if any(_text(props.get(key)) in values for key, values in mapping.exclude):
            result.excluded += 1
            continue
        if mapping.route_field is not None:
            value = _text(props.get(mapping.route_field))
            if value is None:
                if mapping.skip_without_route:
                    result.skipped += 1
                    continue
                result.fail(where, f"has no {mapping.route_field!r}")
                continue
            if "\x00" in value:
                result.fail(where, f"its route {HOLDS_NUL}")
                continue
            rid = result.route(f"{mapping.route_prefix}{value}")
        else:
            assert route_id is not None
            rid = result.route(route_id)
        if fid is None:
            result.fail(where, f"has no id (looked in {', '.join(mapping.id_fields)})")
            continue
        if "\x00" in fid:
            result.fail(where, f"its id {HOLDS_NUL}")
            continue
        try:
            lanes = _lanes(props.get(mapping.lanes_field) if mapping.lanes_field else None)
            lines = [_line(raw, convert, declared) for raw in _parts(feature.get("geometry"))]
        except ValueError as exc:
            result.fail(where, str(exc))
            continue
        oneway_text = _text(props.get(mapping.oneway_field)) if mapping.oneway_field else None
        oneway_key = (oneway_text or "").lower()
        reverse = oneway_key in mapping.reverse_values
        oneway = reverse or oneway_key in mapping.oneway_values
        street = (
            _first(props, mapping.street_fields)
            or _first(props, mapping.extra_street_fallback)
            or "unnamed street"
        )
        if "\x00" in street:
            result.fail(where, f"its street {HOLDS_NUL}")
            continue
        for part, coords in enumerate(lines):
            sid = fid if len(lines) == 1 else f"{fid}-{part}"
            if (rid, sid) in seen:
                result.fail(where, f"segment id {sid!r} appears twice in route {rid!r}")
                continue
            seen.add((rid, sid))
            ordered = tuple(reversed(coords)) if reverse else coords
            result.routes.setdefault(rid, []).append(
                PlannedSegment(
                    id=sid,
                    street=street[:200],
                    length_m=round(line_length_m(ordered), 1),
                    lanes=lanes,
                    oneway=oneway,
                    coords=ordered,
                )
            )
    if not result.error_count and not result.routes:
        raise RouteImportError("no feature left to import (all excluded or without a route)")
    return result


def import_routes(
    conn: Connection,
    data: object,
    mapping: FieldMapping,
    *,
    route_id: str | None = None,
    route_name: str | None = None,
    replace_existing: bool = False,
) -> ImportSummary:
    """Validate, then write every route; call inside one write transaction (all or nothing)."""
    collected = collect(data, mapping, route_id)
    if collected.error_count:
        more = collected.error_count - len(collected.errors)
        lines = collected.errors + ([f"… and {more} more"] if more > 0 else [])
        raise RouteImportError(
            f"{collected.error_count} feature(s) are invalid, nothing was imported:\n  "
            + "\n  ".join(lines)
        )
    replaced: list[str] = []
    assert isinstance(data, Mapping)  # collect() refused anything else
    attribution = (
        mapping.attribution if mapping.attribution is not None else source_attribution(data)
    )
    if "\x00" in attribution:
        raise RouteImportError(f"the attribution {HOLDS_NUL}")
    for rid, segments in collected.routes.items():
        text = collected.sources[rid]
        value = text[len(mapping.route_prefix) :] if mapping.route_field else text
        name = route_name or (
            mapping.route_name.format(value=value) if mapping.route_field else text
        )
        route = PlannedRoute(rid, name, tuple(segments), attribution)
        exists = conn.execute("SELECT 1 FROM routes WHERE id = ?", (rid,)).fetchone()
        if exists and not replace_existing:
            raise RouteImportError(
                f"route {rid!r} already exists, nothing was imported: pass --replace to "
                "replace its segments"
            )
        if exists:
            conn.execute("DELETE FROM segments WHERE route_id = ?", (rid,))
            conn.execute(
                "UPDATE routes SET name = ?, attribution = ?, length_m = ? WHERE id = ?",
                (route.name, route.attribution, route.length_m, rid),
            )
            insert_segments(conn, route)
            touch_route_assignments(conn, rid)
            replaced.append(rid)
        else:
            insert_route(conn, route)
    return ImportSummary(
        routes=tuple(collected.routes),
        segments=sum(len(s) for s in collected.routes.values()),
        skipped=collected.skipped,
        excluded=collected.excluded,
        replaced=tuple(replaced),
        attribution=attribution,
        derived={rid: text for rid, text in collected.sources.items() if rid != text},
        suggested_attribution=mapping.suggested_attribution,
    )


def load_geojson(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except OSError as exc:
        raise RouteImportError(f"cannot read {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RouteImportError(f"{path} is not valid JSON: {exc}") from None
