"""The shift's positions on their way to the outbox: buffered in memory for a few seconds,
then committed in one transaction with the coverage they produced.

Committing fix by fix would cost a disk sync per second; committing fixes without their
coverage could, after a crash, leave a swept segment whose evidence is lost (or the
reverse). Fixes go to the outbox's durable buffer and are sealed into compact batches of
`FIXES_PER_GPS_BATCH` (all of them when sealing, e.g. at the end of a shift; the sync
engine seals the rest before each push while online).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from client.errors import StorageError
from client.outbox import Outbox
from client.store import Store
from coverage.model import Fix
from sync.engine import SyncEngine

FIX_BATCH_SECONDS: Final = 5.0
FIX_BATCH_MAX: Final = 60
# Ten minutes of 1 Hz fixes per outbox row: per-row overhead (sha256, times) is then
# a fraction of a byte per fix on the wire.
FIXES_PER_GPS_BATCH: Final = 600


class FixRecorder:
    def __init__(
        self,
        store: Store,
        outbox: Outbox,
        engine: SyncEngine,
        save_coverage: Callable[[], None],
    ) -> None:
        self._store = store
        self._outbox = outbox
        self._engine = engine
        self._save_coverage = save_coverage
        self._buffer: list[Fix] = []

    def add(self, fix: Fix, assignment_version: int) -> None:
        self._buffer.append(fix)
        if len(self._buffer) >= FIX_BATCH_MAX:
            self.flush(assignment_version)

    def flush(self, assignment_version: int | None, *, seal: bool = False) -> None:
        """Commit buffered fixes; on a storage failure they stay in memory and the sync
        engine says so, and the next flush tries again."""
        if not self._buffer or assignment_version is None:
            if seal:
                self._seal_buffered()
            return
        fixes, self._buffer = self._buffer, []
        rows: list[list[float | int | None]] = [
            [int(f.t.timestamp() * 1000), f.lat, f.lon, f.speed_mps, f.heading_deg, f.accuracy_m]
            for f in fixes
        ]
        try:
            with self._store.transaction():
                self._save_coverage()
                self._outbox.buffer_fixes(rows, assignment_version=assignment_version)
                self._outbox.seal_fixes(FIXES_PER_GPS_BATCH, partial=seal)
        except StorageError as exc:
            self._buffer = fixes + self._buffer
            self._engine.storage_failed(str(exc))
            return
        self._engine.facts_added()

    def _seal_buffered(self) -> None:
        try:
            made = self._outbox.seal_fixes(FIXES_PER_GPS_BATCH, partial=True)
        except StorageError as exc:
            self._engine.storage_failed(str(exc))
            return
        if made:
            self._engine.facts_added()
