"""The coverage the tablet recorded for an assignment, read back from its database.

One reader for the two places that need it: the core when it loads an assignment, and
start-up, which colours the cached route on the map before the core exists.
"""

from __future__ import annotations

from datetime import datetime

from client.models import Assignment
from client.store import Store
from coverage.engine import CoverageEngine


def load_coverage(store: Store, assignment: Assignment) -> CoverageEngine:
    """A coverage engine for `assignment`'s route, running the rule its server chose,
    holding every pass recorded so far (under that rule: a state saved under another
    profile is not reused)."""
    coverage = CoverageEngine(assignment.route, assignment.coverage_profile)
    rows = store.conn.execute(
        "SELECT segment_id, covered, swept_at FROM segment_coverage WHERE assignment_id = ?",
        (assignment.id,),
    )
    for row in rows:
        swept_at = datetime.fromisoformat(row["swept_at"]) if row["swept_at"] else None
        coverage.restore(row["segment_id"], row["covered"], swept_at)
    return coverage


def save_coverage(
    store: Store, assignment_id: str, dirty: dict[str, tuple[bytes, datetime | None]]
) -> None:
    """Write the segments whose coverage changed (the engine's `take_dirty()`), inside the
    caller's transaction when there is one, so coverage and the facts it produced commit
    together."""
    with store.transaction() as conn:
        for segment_id, (bins, swept_at) in dirty.items():
            conn.execute(
                "INSERT INTO segment_coverage VALUES (?, ?, ?, ?)"
                " ON CONFLICT(assignment_id, segment_id) DO UPDATE"
                " SET covered = excluded.covered, swept_at = excluded.swept_at",
                (assignment_id, segment_id, bins, swept_at.isoformat() if swept_at else None),
            )
