"""Freshness words the fleet map colours by: live while the stream is up and the vehicle
was heard within `stale_after_s`, silent after `SILENT_AFTER_S` (or never heard),
delayed in between — and delayed, not live, for everyone while the stream is down.
Ages are on the feed's clock (injected here)."""

from __future__ import annotations

from datetime import UTC, datetime

from staff.api import SupervisorApi
from staff.fleet import FleetFeed, vehicle_from
from staff.freshness import SILENT_AFTER_S, freshness

NOW = datetime(2031, 3, 4, 12, 0, tzinfo=UTC).timestamp()


def heard(device_id: str, seconds_ago: float | None) -> dict[str, object]:
    when = None
    if seconds_ago is not None:
        when = datetime.fromtimestamp(NOW - seconds_ago, UTC).isoformat().replace("+00:00", "Z")
    return {"device_id": device_id, "vehicle": device_id, "last_sync": when}


def test_live_delayed_silent() -> None:
    feed = FleetFeed(SupervisorApi("http://127.0.0.1:9"), stale_after_s=60, clock=lambda: NOW)
    for data in (
        heard("fresh", 5),
        heard("quiet", 300),
        heard("gone", SILENT_AFTER_S + 1),
        heard("never", None),
    ):
        vehicle = vehicle_from(data)
        feed.vehicles[vehicle.device_id] = vehicle
    feed.stream_up = True
    got = {d: freshness(feed, d) for d in feed.vehicles}
    assert got == {"fresh": "live", "quiet": "delayed", "gone": "silent", "never": "silent"}
    assert freshness(feed, "unknown-device") == "silent"
    feed.stream_up = False
    assert freshness(feed, "fresh") == "delayed"
