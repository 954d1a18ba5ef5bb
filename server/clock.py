"""Server time in the one format the API uses (ISO 8601 UTC with `Z`).

The tablet compares this with its own clock to detect skew, so every response carries it
and every stored timestamp uses the same spelling.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_z(moment: datetime) -> str:
    """`2026-11-22T10:15:00.123Z` for an aware datetime (naive ones are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def server_time() -> str:
    return iso_z(utc_now())


def local_today() -> date:
    """The server's local calendar date: assignments are planned per local day."""
    return datetime.now().astimezone().date()


def parse_iso(text: str) -> datetime | None:
    """Parse an ISO 8601 timestamp; None if it is not one. Naive values stay naive."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
