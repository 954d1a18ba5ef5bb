"""Domain values turned into the JSON the map page's `window.sweepline` API accepts.

Everything the page receives passes through here, so the page never sees a Python
object, a non-finite number, or a string that was meant to be code.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # The data model loads after the map is on screen (start-up): annotations only here.
    from coverage.model import Fix, Route, SegmentState, SegmentStatus

JsonDict = dict[str, Any]


def _finite(*values: float | None) -> bool:
    return all(v is not None and math.isfinite(v) for v in values)


def route_payload(route: Route) -> JsonDict:
    """A GeoJSON FeatureCollection of the route's segments (ids and street names kept)."""
    features = [
        segment.to_feature()
        for segment in route.segments
        if segment.coords and all(_finite(lon, lat) for lon, lat in segment.coords)
    ]
    return {
        "type": "FeatureCollection",
        "properties": {"id": route.id, "name": route.name},
        "features": features,
    }


def state_name(state: SegmentState | str) -> str:
    """The page's name for a segment state; unknown values fall back to not started."""
    from coverage.model import SegmentState

    try:
        return SegmentState(state).value
    except ValueError:
        return SegmentState.NOT_STARTED.value


def statuses_payload(statuses: Mapping[str, SegmentStatus]) -> dict[str, str]:
    """`{segment_id: state}` for `setStatuses`."""
    return {str(seg_id): state_name(status.state) for seg_id, status in statuses.items()}


def fix_payload(fix: Fix) -> JsonDict | None:
    """`{lat, lon, heading}` for `moveVehicle`, or None when the fix cannot be drawn."""
    if not _finite(fix.lat, fix.lon) or not (-90 <= fix.lat <= 90 and -180 <= fix.lon <= 180):
        return None
    heading = fix.heading_deg if _finite(fix.heading_deg) else None
    return {"lat": fix.lat, "lon": fix.lon, "heading": heading}


def trail_payload(fixes: Iterable[Fix]) -> list[list[float]]:
    """`[[lat, lon], ...]` for `setTrail`, skipping fixes that cannot be drawn."""
    points = []
    for fix in fixes:
        p = fix_payload(fix)
        if p is not None:
            points.append([p["lat"], p["lon"]])
    return points
