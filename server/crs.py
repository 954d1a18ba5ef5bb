"""The coordinate reference system of a GeoJSON street layer, and conversion to WGS84.

RFC 7946 GeoJSON is WGS84 longitude/latitude, but city GIS exports still carry the old
`crs` member. Web Mercator (EPSG:3857) is converted, since many web exports use it;
anything else is refused with the command that reprojects it, because a wrong guess
would put every street somewhere else.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any, Final

from server.geo import Coord

_WGS84_NAMES: Final = frozenset(
    {"crs84", "epsg:4326", "epsg::4326", "4326", "epsg:4269", "epsg::4269", "4269"}
)
_MERCATOR_NAMES: Final = frozenset(
    {"epsg:3857", "epsg::3857", "3857", "epsg:900913", "epsg::900913", "epsg:102100"}
)
_MERCATOR_R: Final = 6_378_137.0


class CrsError(ValueError):
    """The file's CRS is not understood or cannot be converted."""


def _crs_name(data: Mapping[str, Any]) -> str | None:
    crs = data.get("crs")
    if crs is None:
        return None
    if isinstance(crs, Mapping):
        props = crs.get("properties")
        name = props.get("name") if isinstance(props, Mapping) else None
        if isinstance(name, str):
            return name
    raise CrsError(f"the file's 'crs' member is not understood: {json.dumps(crs)[:200]}")


def _normalise_crs(name: str) -> str:
    text = name.strip().lower()
    for prefix in ("urn:ogc:def:crs:", "http://www.opengis.net/def/crs/"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    text = text.replace("ogc:1.3:", "").replace("ogc/1.3/", "").replace("/0/", "::")
    return text.replace("epsg/", "epsg:")


def converter(data: Mapping[str, Any]) -> Callable[[float, float], Coord] | None:
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
    raise CrsError(
        f"the file's coordinates are in {name}, which this importer cannot convert: "
        "reproject it to WGS84 longitude/latitude (EPSG:4326) first, e.g. "
        "`ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson`"
    )
