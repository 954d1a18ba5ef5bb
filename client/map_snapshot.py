"""What the operator's map last showed, kept in the tablet database for the next start.

A restart shows this (the route with each segment's colour and words) the moment the
map page loads, before the core and its coverage engine have loaded; the core then
draws the same route from the recorded coverage, and only what differs changes. The
snapshot names the assignment and version it was drawn from, and is used only while
that exact version is still the one cached.

Deliberately free of the data model: reading it is part of start-up's first paint.
"""

from __future__ import annotations

import json
import logging

from client.store import Store

log = logging.getLogger("sweepline.map_snapshot")

MAP_SNAPSHOT_KEY = "map_snapshot"


def save_map_snapshot(store: Store, assignment_id: str, version: int, shown: str) -> None:
    """Keep `shown` (RouteMap.snapshot's JSON) as drawn from this assignment version."""
    store.set_kv(
        MAP_SNAPSHOT_KEY,
        json.dumps({"assignment": assignment_id, "version": version, "shown": shown}),
    )


def load_map_snapshot(store: Store) -> str | None:
    """The last snapshot, if the assignment it was drawn from is still cached unchanged."""
    text = store.get_kv(MAP_SNAPSHOT_KEY)
    if not text:
        return None
    try:
        kept = json.loads(text)
        assignment, version, shown = kept["assignment"], kept["version"], kept["shown"]
    except (ValueError, KeyError, TypeError):
        log.warning("map snapshot unreadable: ignored")
        return None
    row = store.conn.execute(
        "SELECT 1 FROM assignment WHERE id = ? AND version = ?", (assignment, version)
    ).fetchone()
    return shown if row is not None and isinstance(shown, str) else None
