"""The street context layer: light lines of the streets around the route, drawn under it.

With no basemap tile at street zoom (no signal, nothing cached) the map must still read
as a street map; these lines, taken from street data the tablet already holds (the
route's own segments and a bundled street file), make it so. Input is GeoJSON from
files or servers, so every feature is checked: only finite WGS84 LineStrings and
MultiLineStrings pass, and what comes out is plain JSON for the page.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from maps.assets import RESOURCES_DIR
from maps.tilegrid import BBox

DEMO_STREETS = RESOURCES_DIR / "demo" / "waterloo_uw_uptown_2017_roads.geojson"
DEMO_STREETS_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"
# Around a route, streets within this distance are drawn: enough to see the turns in
# and out of every segment without drawing a whole city.
DEFAULT_MARGIN_M = 600.0

Line = list[list[float]]


def _clean_line(coords: Any) -> Line | None:
    if not isinstance(coords, list) or len(coords) < 2:
        return None
    out: Line = []
    for c in coords:
        if not isinstance(c, list | tuple) or len(c) < 2:
            return None
        lon, lat = c[0], c[1]
        if not isinstance(lon, int | float) or not isinstance(lat, int | float):
            return None
        if not (math.isfinite(lon) and math.isfinite(lat)):
            return None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return None
        out.append([float(lon), float(lat)])
    return out


def feature_lines(feature: Any) -> list[Line]:
    """The drawable lines of one GeoJSON feature (empty when it has none)."""
    geometry = feature.get("geometry") if isinstance(feature, Mapping) else None
    if not isinstance(geometry, Mapping):
        return []
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    parts = [coords] if kind == "LineString" else coords if kind == "MultiLineString" else []
    if not isinstance(parts, list):
        return []
    return [line for line in (_clean_line(p) for p in parts) if line is not None]


def _name(feature: Mapping[str, Any]) -> str:
    props = feature.get("properties")
    if not isinstance(props, Mapping):
        return ""
    for key in ("name", "street", "Street", "STREET"):
        value = props.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def streets_payload(
    features: Iterable[Any], *, within: BBox | None = None, attribution: str = ""
) -> dict[str, Any]:
    """A FeatureCollection of MultiLineStrings for the page's `setStreets`.

    With `within`, only streets whose own box touches it are kept. Features without a
    drawable line are skipped and counted in `properties.skipped`.
    """
    out: list[dict[str, Any]] = []
    skipped = 0
    for feature in features:
        lines = feature_lines(feature)
        if not lines:
            skipped += 1
            continue
        if within is not None:
            box = BBox.around(pt for line in lines for pt in ((p[0], p[1]) for p in line))
            if not within.intersects(box):
                continue
        out.append(
            {
                "type": "Feature",
                "geometry": {"type": "MultiLineString", "coordinates": lines},
                "properties": {"name": _name(feature)},
            }
        )
    return {
        "type": "FeatureCollection",
        "properties": {"attribution": attribution, "skipped": skipped},
        "features": out,
    }


def load_geojson_features(path: str | Path) -> list[Any]:
    """The features of a GeoJSON FeatureCollection file (ValueError if it is not one)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"street file {path} cannot be read: {exc}") from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise ValueError(f"street file {path} is not a GeoJSON FeatureCollection")
    return features


@lru_cache(maxsize=1)
def demo_street_features() -> tuple[Any, ...]:
    """The bundled drivable ways of Uptown Waterloo (OpenStreetMap, ODbL)."""
    return tuple(load_geojson_features(DEMO_STREETS))


def streets_around(
    route_lines: Iterable[Iterable[tuple[float, float]]],
    street_features: Iterable[Any],
    *,
    margin_m: float = DEFAULT_MARGIN_M,
    attribution: str = DEMO_STREETS_ATTRIBUTION,
) -> dict[str, Any]:
    """The streets near a route: those touching its box grown by `margin_m`.

    The route's own segments are streets too and are always included, so a route
    outside the bundled street file still gets its context drawn.
    """
    lines = [list(line) for line in route_lines]
    try:
        area = BBox.around(pt for line in lines for pt in line).expanded(margin_m)
    except ValueError:
        return streets_payload([], attribution=attribution)
    own = [
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [list(p) for p in ln]},
        }
        for ln in lines
    ]
    return streets_payload([*street_features, *own], within=area, attribution=attribution)
