"""When a fact happened, as far as the server will believe it.

A fact carries its GPS time and the tablet's clock; the server prefers them to its own
receive time because a tablet may push hours after it swept. But a tablet's clock can
reset to 1970 after a power loss, and a hostile one can claim 9999-12-31, which would
stay a segment's "last swept" forever. A time further ahead of the receive time than a
clock could drift, or further behind than a tablet keeps facts, is flagged
`implausible_time` when the fact arrives: kept and shown to the supervisor as claimed,
never used, the receive time standing in.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from server.clock import iso_z, parse_iso
from server.settings import Settings

IMPLAUSIBLE_TIME: Final = "implausible_time"


def claimed_time(gps_time: str | None, device_time: str | None) -> datetime | None:
    """The time the fact claims: GPS time, else device time (aware ones only)."""
    for text in (gps_time, device_time):
        moment = parse_iso(text) if text else None
        if moment is not None and moment.tzinfo is not None:
            return moment
    return None


def implausible(
    gps_time: str | None, device_time: str | None, received: datetime, settings: Settings
) -> bool:
    claimed = claimed_time(gps_time, device_time)
    if claimed is None:
        return False
    ahead = timedelta(seconds=settings.fact_time_ahead_s)
    behind = timedelta(seconds=settings.fact_time_behind_s)
    try:
        return claimed > received + ahead or claimed < received - behind
    except OverflowError:
        return True


def is_flagged(flags: str | None) -> bool:
    return IMPLAUSIBLE_TIME in str(flags or "").split(",")


def trusted_time(
    gps_time: str | None, device_time: str | None, received_at: str, flags: str | None
) -> str:
    """The fact's time for every view: its claimed time, or when it arrived if that
    claim was flagged (or there is none)."""
    if is_flagged(flags):
        return received_at
    claimed = claimed_time(gps_time, device_time)
    return received_at if claimed is None else iso_z(claimed)
