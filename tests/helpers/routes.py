"""Routes made of real Uptown Waterloo streets (OSM, ODbL), for core tests."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from client.geo import line_length_m
from client.models import Route, Segment
from tests.conftest import REPO

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
