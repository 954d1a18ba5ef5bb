"""The tablet's one source of "what time is it".

Shift dates, fact times, ack times, token expiry and "how long offline" all read this
clock, so a test (or a replay) sets the time in one place instead of depending on the
day it runs. Durations that only need to be measured (timeouts, watchdogs) keep using
`time.monotonic`, which no wall-clock question is about.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...

    def today(self) -> date:
        """The local calendar date: shifts and assignments are planned per local day."""
        ...


class SystemClock:
    """The device's wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now().astimezone().date()


SYSTEM_CLOCK: Clock = SystemClock()
