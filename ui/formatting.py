"""Plain-words formatting shared by the panels: clock times and distances.

Times are shown in the tablet's local zone as HH:MM because the operator compares them
with the clock on the dashboard, not with UTC.
"""

from __future__ import annotations

from datetime import datetime


def clock(moment: datetime) -> str:
    """`moment` as local HH:MM (naive datetimes are taken as already local)."""
    local = moment.astimezone() if moment.tzinfo is not None else moment
    return local.strftime("%H:%M")


def kilometres(metres: float) -> str:
    """A distance in km with one decimal, e.g. `3.2 km`."""
    return f"{max(metres, 0.0) / 1000:.1f} km"
