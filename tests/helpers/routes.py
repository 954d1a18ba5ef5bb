"""Routes made of real Uptown Waterloo streets (OSM, ODbL), for core and widget tests and
the benchmarks. Nothing here imports pytest: a benchmark that builds its route from here
measures the application's memory, not pytest's."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from coverage.geo import line_length_m
from coverage.model import Route, Segment

REPO = Path(__file__).resolve().parents[2]
ROADS = REPO / "resources" / "demo" / "waterloo_uw_uptown_2017_roads.geojson"


@cache
def _features() -> list[dict[str, Any]]:
    return list(json.loads(ROADS.read_text(encoding="utf-8"))["features"])


def street_route(name: str) -> Route:
    """Every way of one named street, as segments of a route (not necessarily connected)."""
    segments = []
    for f in _features():
        props = f["properties"]
        if props.get("name") != name:
            continue
        coords = tuple((float(x), float(y)) for x, y in f["geometry"]["coordinates"])
        segments.append(
            Segment(
                id=f"osm-{f['id']}",
                street=name,
                length_m=line_length_m(coords),
                lanes=int(props.get("lanes") or 2),
                oneway=props.get("oneway") == "yes",
                coords=coords,
            )
        )
    if not segments:
        raise LookupError(f"no street named {name!r} in {ROADS.name}")
    return Route(id=f"test-{name}", name=name, segments=tuple(segments))


def waterloo_route(count: int = 8, name_of: Callable[[int, str], str] | None = None) -> Route:
    """A route of `count` real residential streets (in file order) from the demo data."""
    segments: list[Segment] = []
    for feature in _features():
        props = feature["properties"]
        if props.get("highway") != "residential" or not props.get("name"):
            continue
        index = len(segments)
        street = name_of(index, props["name"]) if name_of else props["name"]
        coords = tuple((float(lon), float(lat)) for lon, lat in feature["geometry"]["coordinates"])
        segments.append(
            Segment(
                id=f"w{props['osm_way_id']}",
                street=street,
                length_m=120.0 + 10 * index,
                lanes=int(props.get("lanes") or 2),
                oneway=props.get("oneway") == "yes",
                coords=coords,
            )
        )
        if len(segments) == count:
            break
    return Route(id="r-uptown-1", name="Uptown residential", segments=tuple(segments))
