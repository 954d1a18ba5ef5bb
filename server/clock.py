"""The server's one clock, and time in the one format the API uses (ISO 8601 UTC, `Z`).

Every "what day/time is it" on the server (today's assignments, metric windows, days
since a street was swept, token expiry, the `server_time` every response carries for
the tablet's skew check) asks `utc_now()` or `local_today()`, which read the process's
installed clock: the system clock, unless a test or a replay installs another with
`use_clock`. Durations that are only measured (throttle windows, stream deadlines) use
`time.monotonic` instead, which no calendar question is about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime


class Clock:
    """Reads "now" from `now` (the system clock by default); `today` is the server's
    local calendar date of that moment."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self._now = now or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        moment = self._now()
        if moment.tzinfo is None:
            raise ValueError(f"the clock gave a naive time ({moment!r}); it must be aware")
        return moment.astimezone(UTC)

    def today(self) -> date:
        return self.now().astimezone().date()


_installed = Clock()


@contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    """Install `clock` as the server's clock for the duration of the block."""
    global _installed
    previous, _installed = _installed, clock
    try:
        yield clock
    finally:
        _installed = previous


def utc_now() -> datetime:
    return _installed.now()


def iso_z(moment: datetime) -> str:
    """`2026-11-22T10:15:00.123Z` for an aware datetime (naive ones are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def server_time() -> str:
    return iso_z(utc_now())


def local_today() -> date:
    """The server's local calendar date: assignments are planned per local day."""
    return _installed.today()


def parse_iso(text: str) -> datetime | None:
    """Parse an ISO 8601 timestamp; None if it is not one. Naive values stay naive."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
