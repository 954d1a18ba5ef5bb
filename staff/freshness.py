"""How fresh a vehicle's data is, in the three words the fleet map colours by.

*live*: the stream is up and the server heard from the vehicle within the feed's
`stale_after_s`; *silent*: nothing heard for `SILENT_AFTER_S` (or ever) — the tablet is
off, out of coverage for long, or broken; *delayed*: anything in between (a tablet
holding its queue in a dead zone, or our own stream down while we poll).
"""

from __future__ import annotations

from typing import Final, Literal

from staff.fleet import FleetFeed

Freshness = Literal["live", "delayed", "silent"]
SILENT_AFTER_S: Final = 600.0
FRESHNESS_COLOURS: Final[dict[str, str]] = {
    "live": "#1b7f3b",
    "delayed": "#b25e00",
    "silent": "#8a8f98",
}


def freshness(feed: FleetFeed, device_id: str, silent_after_s: float = SILENT_AFTER_S) -> Freshness:
    """`live`, `delayed` or `silent` for one vehicle of the feed (silent when unknown)."""
    vehicle = feed.vehicles.get(device_id)
    if vehicle is None:
        return "silent"
    if feed.is_live(device_id):
        return "live"
    heard = feed.age_s(vehicle.last_heard)
    if heard is None or heard > silent_after_s:
        return "silent"
    return "delayed"
