"""Which coverage rule the city runs: server configuration, sent with every assignment.

The city chooses its profile (`kitchener-2023` or `sweepline`, coverage/profiles.py) with
the setting `coverage_profile` (environment `SWEEPLINE_COVERAGE_PROFILE`). At start the
server records it in the database's `meta` table, so every process serving the database
and every answer built from it (assignment values in the change log, reset snapshots,
route status) names the same profile, with its parameters. A tablet runs the profile
its assignment names; it never chooses one itself.

A changed setting reaches tablets with their next assignment change or reset: an
assignment keeps the rule it was issued with until then, so a shift's coverage is not
re-judged under another rule halfway through.
"""

from __future__ import annotations

from typing import Any

from coverage.profiles import DEFAULT_PROFILE, PROFILES, CoverageProfile, profile_to_wire
from server.dbapi import Connection

META_KEY = "coverage_profile"


def store_profile(conn: Connection, name: str) -> None:
    """Record the configured profile; ValueError for a name the rule does not know."""
    if name not in PROFILES:
        raise ValueError(f"coverage profile {name!r} is not one of {', '.join(sorted(PROFILES))}")
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (META_KEY, name),
    )


def configured_profile(conn: Connection) -> CoverageProfile:
    """The profile in force (the rule tablets ran before, when none was ever recorded)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    return PROFILES.get(str(row[0]), DEFAULT_PROFILE) if row is not None else DEFAULT_PROFILE


def profile_value(conn: Connection) -> dict[str, Any]:
    """The profile as assignments and route status carry it: name and parameters."""
    return profile_to_wire(configured_profile(conn))
