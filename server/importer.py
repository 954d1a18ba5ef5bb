"""Route import: GeoJSON street layers → routes and segments, all or nothing.

A layer is read with a field mapping: which property is the segment id, the street name,
the lane count, the one-way flag, and which property groups features into routes (or
one route for the whole file). Presets cover the layers the pilot cities publish: the
City of Kitchener Roads schema (provincial `MTO` roads excluded), OpenStreetMap ways,
and the Cambridge MA centrelines with `sweep_district` as the route.

Coordinates must be WGS84 longitude/latitude (RFC 7946). A file that declares another
CRS is converted when it is Web Mercator (EPSG:3857) and refused otherwise; a file that
declares none but whose coordinates are not longitude/latitude is refused. Every problem
names the feature (index in the file and id). Nothing is written unless every feature
is valid, and the whole import is one transaction.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from server.dbapi import Connection
from server.geo import Coord, line_length_m
from server.plans import (
    PlannedRoute,
    PlannedSegment,
    insert_route,
    insert_segments,
    touch_route_assignments,
)

MAX_COORDS_PER_FEATURE: Final = 20_000
MAX_ERRORS_SHOWN: Final = 20
_WGS84_NAMES: Final = frozenset(
    {"crs84", "epsg:4326", "epsg::4326", "4326", "epsg:4269", "epsg::4269", "4269"}
)
_MERCATOR_NAMES: Final = frozenset(
    {"epsg:3857", "epsg::3857", "3857", "epsg:900913", "epsg::900913", "epsg:102100"}
)
_MERCATOR_R: Final = 6_378_137.0


class RouteImportError(ValueError):
    """The file cannot be imported; the message lists what is wrong, feature by feature."""


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """How a layer's properties map onto segments and routes."""

    id_fields: tuple[str, ...]
    street_fields: tuple[str, ...] = ()
    lanes_field: str | None = None
    oneway_field: str | None = None
    # Values of `oneway_field` meaning one-way along / against the digitised direction.
    oneway_values: frozenset[str] = frozenset({"yes", "true", "1"})
    reverse_values: frozenset[str] = frozenset({"-1"})
    # Property whose value names the route; None: the whole file is one route.
    route_field: str | None = None
    route_prefix: str = ""
    route_name: str = "{value}"
    # Features whose property equals one of these values are left out.
    exclude: tuple[tuple[str, frozenset[str]], ...] = ()
    attribution: str = ""
    # Features with no value in `route_field` are skipped (counted), not an error.
    skip_without_route: bool = True
    extra_street_fallback: tuple[str, ...] = field(default=())


PRESETS: Final[Mapping[str, FieldMapping]] = {
    # City of Kitchener open data "Roads": ROADSEGMENTID, OWNERSHIP (MTO/Region/City),
    # CATEGORY, LANES, Shape__Length. Provincial (MTO) highways are not the city's to sweep.
    "kitchener": FieldMapping(
        id_fields=("ROADSEGMENTID",),
        street_fields=("STREET", "FULL_NAME", "ROADNAME", "STREETNAME", "NAME"),
        lanes_field="LANES",
        exclude=(("OWNERSHIP", frozenset({"MTO"})),),
        attribution="Contains information licensed under the Open Government Licence – "
        "City of Kitchener",
        extra_street_fallback=("CATEGORY",),
    ),
    # OpenStreetMap ways exported as GeoJSON (osmium, overpass, QGIS).
    "osm": FieldMapping(
        id_fields=("osm_id", "osm_way_id", "@id", "id"),
        street_fields=("name", "ref"),
        lanes_field="lanes",
        oneway_field="oneway",
        attribution="© OpenStreetMap contributors, ODbL 1.0",
        extra_street_fallback=("highway",),
    ),
    # Cambridge MA TRANS_Centerlines joined with the DPW sweeping districts.
    "cambridge": FieldMapping(
        id_fields=("ID",),
        street_fields=("Street", "Label", "Street_Name"),
        oneway_field="Direction",
        oneway_values=frozenset({"1"}),
        reverse_values=frozenset({"-1"}),
        route_field="sweep_district",
        route_prefix="cambridge-",
        route_name="Cambridge district {value}",
        attribution="City of Cambridge GIS, PDDL 1.0",
    ),
}


@dataclass(frozen=True, slots=True)
class ImportSummary:
    routes: tuple[str, ...]
    segments: int
    skipped: int
    excluded: int
    replaced: tuple[str, ...]

    def describe(self) -> str:
        text = f"imported {len(self.routes)} route(s), {self.segments} segment(s)"
        if self.replaced:
            text += f" (replaced {', '.join(self.replaced)})"
        if self.excluded:
            text += f"; {self.excluded} feature(s) excluded by the mapping"
        if self.skipped:
            text += f"; {self.skipped} feature(s) without a route value skipped"
        return text


def mapping_for(
    preset: str | None,
    *,
    id_field: str | None = None,
    street_field: str | None = None,
    lanes_field: str | None = None,
    oneway_field: str | None = None,
    route_field: str | None = None,
    route_prefix: str | None = None,
    route_name: str | None = None,
    exclude: Sequence[str] = (),
    attribution: str | None = None,
) -> FieldMapping:
    """A preset (or a blank mapping) with any explicitly given field overriding it."""
    if preset is not None and preset not in PRESETS:
        raise RouteImportError(f"unknown preset {preset!r}: one of {', '.join(sorted(PRESETS))}")
    base = PRESETS[preset] if preset else None
    if base is None:
        if id_field is None:
            raise RouteImportError("without a preset, --id-field is required")
        base = FieldMapping(id_fields=(id_field,))
    changes: dict[str, Any] = {}
    if id_field:
        changes["id_fields"] = (id_field,)
    if street_field:
        changes["street_fields"] = (street_field,)
    if lanes_field:
        changes["lanes_field"] = lanes_field
    if oneway_field:
        changes["oneway_field"] = oneway_field
    if route_field:
        changes["route_field"] = route_field
    if route_prefix is not None:
        changes["route_prefix"] = route_prefix
    if route_name is not None:
        changes["route_name"] = route_name
    if attribution is not None:
        changes["attribution"] = attribution
    rules = list(base.exclude)
    for rule in exclude:
        key, sep, values = rule.partition("=")
        if not sep or not key:
            raise RouteImportError(f"--exclude {rule!r} must look like FIELD=VALUE[,VALUE…]")
        rules.append((key, frozenset(v.strip() for v in values.split(","))))
    changes["exclude"] = tuple(rules)
    return replace(base, **changes)


def _crs_name(data: Mapping[str, Any]) -> str | None:
    crs = data.get("crs")
    if crs is None:
        return None
    if isinstance(crs, Mapping):
        props = crs.get("properties")
        name = props.get("name") if isinstance(props, Mapping) else None
        if isinstance(name, str):
            return name
    raise RouteImportError(f"the file's 'crs' member is not understood: {json.dumps(crs)[:200]}")


def _normalise_crs(name: str) -> str:
    text = name.strip().lower()
    for prefix in ("urn:ogc:def:crs:", "http://www.opengis.net/def/crs/"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    text = text.replace("ogc:1.3:", "").replace("ogc/1.3/", "").replace("/0/", "::")
    return text.replace("epsg/", "epsg:")


def _converter(data: Mapping[str, Any]) -> Any:
    """A function (x, y) → (lon, lat) for the file's declared CRS, or a refusal."""
    name = _crs_name(data)
    if name is None:
        return None
    key = _normalise_crs(name)
    if key in _WGS84_NAMES:
        return None
    if key in _MERCATOR_NAMES:

        def from_mercator(x: float, y: float) -> Coord:
            lon = math.degrees(x / _MERCATOR_R)
            lat = math.degrees(2 * math.atan(math.exp(y / _MERCATOR_R)) - math.pi / 2)
            return (lon, lat)

        return from_mercator
    raise RouteImportError(
        f"the file's coordinates are in {name}, which this importer cannot convert: "
        "reproject it to WGS84 longitude/latitude (EPSG:4326) first, e.g. "
        "`ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson`"
    )


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
    convert = _converter(data)
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
            rid = f"{mapping.route_prefix}{value}"
        else:
            assert route_id is not None
            rid = route_id
        if fid is None:
            result.fail(where, f"has no id (looked in {', '.join(mapping.id_fields)})")
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
    for rid, segments in collected.routes.items():
        value = rid[len(mapping.route_prefix) :] if mapping.route_field else rid
        name = route_name or (
            mapping.route_name.format(value=value) if mapping.route_field else rid
        )
        route = PlannedRoute(rid, name, tuple(segments), mapping.attribution)
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
    )


def load_geojson(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except OSError as exc:
        raise RouteImportError(f"cannot read {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RouteImportError(f"{path} is not valid JSON: {exc}") from None
