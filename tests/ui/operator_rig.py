"""A real tablet core on a real SQLite file, its assignment cached as a pull would leave
it, with no server (the API points at a closed loopback port and the sync loop is not
started): what the operator-screen tests drive through the real window."""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from app.tablet import Tablet
from client.api import ApiClient
from client.store import Store
from coverage.model import Fix, Route, Segment

UNREACHABLE = "http://127.0.0.1:9"


def assignment_value(route: Route, version: int = 1) -> dict[str, Any]:
    return {
        "id": "asg-test-1",
        "version": version,
        "date": date.today().isoformat(),
        "operator": "op-7",
        "device_id": "tab-3",
        "vehicle": "Sweeper 12",
        "route": {
            "id": route.id,
            "name": route.name,
            "segments": {
                "type": "FeatureCollection",
                "features": [s.to_feature() for s in route.segments],
            },
        },
    }


def pull_changes(tablet: Tablet, changes: list[dict[str, Any]], reset: bool = False) -> None:
    """Apply a pull's changes exactly as the sync engine does after fetching them."""
    tablet.assignments.apply_pull({"cursor": "c1", "reset": reset}, changes)
    tablet.reload_assignment()


def make_tablet(tmp_path: Path, route: Route) -> Tablet:
    store = Store(tmp_path / "tablet.sqlite", device_id="tab-3")
    tablet = Tablet(store, ApiClient(UNREACHABLE), gps_source_name="test")
    pull_changes(
        tablet,
        [
            {
                "op": "put",
                "entity": "assignment",
                "id": "asg-test-1",
                "version": 1,
                "value": assignment_value(route),
            }
        ],
        reset=True,
    )
    return tablet


def close_tablet(tablet: Tablet) -> None:
    asyncio.run(tablet.api.aclose())
    tablet.store.close()


def _bearing(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    dx = (lon2 - lon1) * math.cos(math.radians(lat1))
    dy = lat2 - lat1
    return math.degrees(math.atan2(dx, dy)) % 360


def drive_along(
    segment: Segment, start: datetime, speed_kmh: float = 8.0, *, backwards: bool = False
) -> Iterator[Fix]:
    """1 Hz fixes along `segment` (and a little beyond each end) at `speed_kmh`."""
    coords = list(reversed(segment.coords)) if backwards else list(segment.coords)
    step_m = speed_kmh / 3.6
    t = start
    yield_list: list[Fix] = []
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(coords):
        dlon = (lon2 - lon1) * 111_320 * math.cos(math.radians(lat1))
        dlat = (lat2 - lat1) * 110_540
        length = math.hypot(dlon, dlat)
        n = max(1, int(length / step_m))
        heading = _bearing(lon1, lat1, lon2, lat2)
        for i in range(n):
            f = i / n
            yield_list.append(
                Fix(
                    t,
                    lat1 + (lat2 - lat1) * f,
                    lon1 + (lon2 - lon1) * f,
                    speed_mps=step_m,
                    heading_deg=heading,
                    accuracy_m=3.0,
                )
            )
            t += timedelta(seconds=1)
    lon, lat = coords[-1]
    yield_list.append(
        Fix(t, lat, lon, speed_mps=step_m, heading_deg=yield_list[-1].heading_deg, accuracy_m=3.0)
    )
    yield from yield_list


def stopped_at(segment: Segment, t: datetime | None = None) -> Fix:
    lon, lat = segment.coords[len(segment.coords) // 2]
    return Fix(t or datetime.now(UTC), lat, lon, speed_mps=0.0, heading_deg=None, accuracy_m=3.0)


def moving_at(segment: Segment, speed_kmh: float = 20.0, t: datetime | None = None) -> Fix:
    lon, lat = segment.coords[len(segment.coords) // 2]
    return Fix(
        t or datetime.now(UTC),
        lat,
        lon,
        speed_mps=speed_kmh / 3.6,
        heading_deg=90.0,
        accuracy_m=3.0,
    )


def _next_time(tablet: Tablet) -> datetime:
    """Now, or a second after the last fix if that is later: fixes never run back."""
    trail = tablet.recent_trail()
    now = datetime.now(UTC)
    return max(now, trail[-1].t + timedelta(seconds=1)) if trail else now


def move_off(tablet: Tablet, segment: Segment, speed_kmh: float = 20.0) -> None:
    """Drive at `speed_kmh` long enough for the motion lock to say moving (a few
    seconds of 1 Hz fixes on `segment`)."""
    t = _next_time(tablet)
    for i in range(8):
        tablet.record_fix(moving_at(segment, speed_kmh, t + timedelta(seconds=i)))


def stop(tablet: Tablet, segment: Segment) -> None:
    """Stand still on `segment` long enough for the motion lock to unlock."""
    t = _next_time(tablet)
    for i in range(12):
        tablet.record_fix(stopped_at(segment, t + timedelta(seconds=i)))
