"""The tablet's core, composed: fixes in, coverage and facts out, state for the screens.

Everything here runs on the application's one asyncio loop. Each operation returns a
`Changes` value and notifies subscribers with it, so each screen redraws only what it
shows. The UI never talks to the server: it reads state from here and asks the core to
record facts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime

from client.api import ApiClient
from client.assignments import AssignmentCache
from client.coverage import CoverageTracker
from client.errors import StorageError, UserFacingError
from client.models import (
    Assignment,
    Changes,
    Fix,
    GpsQuality,
    GpsState,
    Progress,
    SegmentStatus,
    SyncState,
)
from client.outbox import Outbox
from client.store import Store
from client.transport import SwitchableTransport
from sync.engine import SyncEngine

log = logging.getLogger("sweepline.tablet")

FIX_BATCH_SECONDS = 5.0
FIX_BATCH_MAX = 60
# Ten minutes of 1 Hz fixes per outbox row: per-row overhead (sha256, times) is then
# a fraction of a byte per fix on the wire.
FIXES_PER_GPS_BATCH = 600
GPS_STALE_S = 10.0
TRAIL_LENGTH = 120


def iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Tablet:
    def __init__(
        self,
        store: Store,
        api: ApiClient,
        *,
        transport: SwitchableTransport | None = None,
        gps_source_name: str = "",
    ) -> None:
        self.store = store
        self.api = api
        self.outbox = Outbox(store)
        self.assignments = AssignmentCache(store)
        self._transport = transport
        self._subscribers: list[Callable[[Changes], None]] = []
        self._fix_buffer: list[Fix] = []
        self._trail: deque[Fix] = deque(maxlen=TRAIL_LENGTH)
        self._last_fix_mono: float | None = None
        self._gps_source_name = gps_source_name
        self.shift_active = False
        self.engine = SyncEngine(
            store,
            self.outbox,
            self.assignments,
            api,
            on_state=lambda _s: self._notify(Changes(sync=True, outbox=True)),
            on_assignments_changed=self._on_engine_assignments_changed,
            seal_fixes=lambda: self.outbox.seal_fixes(FIXES_PER_GPS_BATCH, partial=True),
        )
        self.assignment: Assignment | None = None
        self.coverage: CoverageTracker | None = None
        self._load_assignment()
        self._tasks: list[asyncio.Task[None]] = []

    # -- subscriptions --------------------------------------------------------------------

    def subscribe(self, callback: Callable[[Changes], None]) -> Callable[[], None]:
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def _notify(self, changes: Changes) -> None:
        if not changes:
            return
        for callback in list(self._subscribers):
            callback(changes)

    # -- assignment -----------------------------------------------------------------------

    def _load_assignment(self) -> None:
        self.assignment = self.assignments.current()
        if self.assignment is None:
            self.coverage = None
            return
        self.coverage = CoverageTracker(self.assignment.route)
        rows = self.store.conn.execute(
            "SELECT segment_id, covered, swept_at FROM segment_coverage WHERE assignment_id = ?",
            (self.assignment.id,),
        )
        for row in rows:
            swept_at = datetime.fromisoformat(row["swept_at"]) if row["swept_at"] else None
            self.coverage.restore(row["segment_id"], row["covered"], swept_at)

    def reload_assignment(self) -> None:
        """Re-read the cached assignment (after a pull) and tell the screens if it changed."""
        before = self.assignment
        self._load_assignment()
        if before != self.assignment:
            self._notify(Changes(route=True))

    def _on_engine_assignments_changed(self) -> None:
        self.reload_assignment()

    # -- the shift ------------------------------------------------------------------------

    def start_shift(self) -> None:
        if self.shift_active or self.assignment is None:
            return
        self._record_event("shift_started", {"assignment_id": self.assignment.id}, None)
        self.shift_active = True

    def end_shift(self) -> None:
        if not self.shift_active or self.assignment is None:
            return
        self.flush_fixes(seal=True)
        self._record_event("shift_ended", {"assignment_id": self.assignment.id}, None)
        self.shift_active = False

    def _record_event(
        self, type: str, payload: dict[str, object], gps_time: datetime | None
    ) -> None:
        if self.assignment is None:
            raise RuntimeError("facts need an assignment to belong to")
        self.outbox.append(
            "events",
            type,
            payload,
            assignment_version=self.assignment.version,
            gps_time=iso(gps_time) if gps_time else None,
        )
        self.engine.facts_added()

    # -- fixes ----------------------------------------------------------------------------

    def record_fix(self, fix: Fix) -> Changes:
        """One position from the GPS source; returns (and publishes) what it changed."""
        self._trail.append(fix)
        self._last_fix_mono = time.monotonic()
        segments: frozenset[str] = frozenset()
        if self.shift_active and self.coverage is not None and self.assignment is not None:
            self._fix_buffer.append(fix)
            update = self.coverage.add_fix(fix)
            segments = update.changed
            for segment_id in sorted(update.newly_swept):
                self._record_swept(segment_id, fix)
            if len(self._fix_buffer) >= FIX_BATCH_MAX:
                self.flush_fixes()
        changes = Changes(segments=segments, vehicle=fix, gps=True)
        self._notify(changes)
        return changes

    def _record_swept(self, segment_id: str, fix: Fix) -> None:
        if self.assignment is None or self.coverage is None:
            return
        status = self.coverage.status(segment_id)
        with self.store.transaction():
            self._save_coverage()
            self._record_event(
                "segment_swept",
                {
                    "assignment_id": self.assignment.id,
                    "route_id": self.assignment.route.id,
                    "segment_id": segment_id,
                    "covered_fraction": round(status.covered_fraction, 3),
                    "source": "inferred",
                },
                fix.t,
            )

    def flush_fixes(self, *, seal: bool = False) -> None:
        """Commit buffered fixes (one transaction, with the coverage they produced).

        Fixes go to a durable buffer and are sealed into compact outbox batches of
        `FIXES_PER_GPS_BATCH` (or all of them when `seal`, e.g. at the end of a shift;
        the sync engine seals the rest before each push while online).
        """
        if not self._fix_buffer or self.assignment is None:
            if seal:
                self._seal_buffered()
            return
        fixes, self._fix_buffer = self._fix_buffer, []
        rows: list[list[float | int | None]] = [
            [
                int(f.t.timestamp() * 1000),
                f.lat,
                f.lon,
                f.speed_mps,
                f.heading_deg,
                f.accuracy_m,
            ]
            for f in fixes
        ]
        try:
            with self.store.transaction():
                self._save_coverage()
                self.outbox.buffer_fixes(rows, assignment_version=self.assignment.version)
                self.outbox.seal_fixes(FIXES_PER_GPS_BATCH, partial=seal)
        except StorageError as exc:
            # Keep the fixes in memory and say so; the next flush tries again.
            self._fix_buffer = fixes + self._fix_buffer
            self.engine.storage_failed(str(exc))
            return
        self.engine.facts_added()

    def _seal_buffered(self) -> None:
        try:
            made = self.outbox.seal_fixes(FIXES_PER_GPS_BATCH, partial=True)
        except StorageError as exc:
            self.engine.storage_failed(str(exc))
            return
        if made:
            self.engine.facts_added()

    def _save_coverage(self) -> None:
        if self.coverage is None or self.assignment is None:
            return
        dirty = self.coverage.take_dirty()
        with self.store.transaction() as conn:
            for segment_id, (bins, swept_at) in dirty.items():
                conn.execute(
                    "INSERT INTO segment_coverage VALUES (?, ?, ?, ?)"
                    " ON CONFLICT(assignment_id, segment_id) DO UPDATE"
                    " SET covered = excluded.covered, swept_at = excluded.swept_at",
                    (
                        self.assignment.id,
                        segment_id,
                        bins,
                        swept_at.isoformat() if swept_at else None,
                    ),
                )

    # -- state for the screens ------------------------------------------------------------

    def statuses(self) -> dict[str, SegmentStatus]:
        return self.coverage.statuses() if self.coverage else {}

    def progress(self) -> Progress:
        if self.coverage is None:
            return Progress(0.0, 0.0, 0, 0)
        return self.coverage.progress()

    def sync_state(self) -> SyncState:
        return self.engine.state

    def gps_state(self) -> GpsState:
        last = self._trail[-1] if self._trail else None
        if last is None or self._last_fix_mono is None:
            quality = GpsQuality.NO_FIX
        elif time.monotonic() - self._last_fix_mono > GPS_STALE_S:
            quality = GpsQuality.STALE
        else:
            quality = GpsQuality.FIX
        return GpsState(quality=quality, last_fix=last, source=self._gps_source_name)

    def recent_trail(self) -> list[Fix]:
        return list(self._trail)

    # -- connectivity (the demo's switch) -------------------------------------------------

    @property
    def network_enabled(self) -> bool:
        return self._transport.enabled if self._transport else True

    def set_network_enabled(self, enabled: bool) -> None:
        if self._transport is None:
            return
        self._transport.enabled = enabled
        if enabled:
            self.engine.connectivity_changed()
        self._notify(Changes(sync=True))

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background work: the sync loop and the periodic fix flush."""
        self._tasks.append(asyncio.ensure_future(self.engine.run()))
        self._tasks.append(asyncio.ensure_future(self._flush_periodically()))

    async def _flush_periodically(self) -> None:
        while True:
            await asyncio.sleep(FIX_BATCH_SECONDS)
            self.flush_fixes()

    async def push_before_exit(self, timeout_s: float) -> None:
        """One last bounded attempt to upload what is waiting; whatever fails stays queued."""
        self.flush_fixes()
        try:
            async with asyncio.timeout(timeout_s):
                await self.engine.sync_once()
        except (TimeoutError, UserFacingError) as exc:
            log.info("not everything was uploaded before exit (%s); it stays queued", exc)

    async def aclose(self) -> None:
        self.flush_fixes()
        self.engine.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self.api.aclose()
