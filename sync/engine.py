"""The sync loop: push each stream in order, pull the server's changes, back off.

Runs as one task on the application's asyncio loop. One loop means one push in flight
per stream by construction. Network I/O never happens inside a database transaction:
events are read, the request is made, then the answer is recorded in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from client.api import ApiClient
from client.assignments import AssignmentCache, BadRouteData
from client.errors import (
    LoginRequired,
    NetworkUnavailable,
    ServerBusy,
    ServerRefused,
    UpdateRequired,
)
from client.models import SyncState
from client.outbox import Outbox
from client.store import Store
from sync.backoff import Backoff
from sync.protocol import STREAMS

log = logging.getLogger("sweepline.sync")

MAX_BATCH_EVENTS = 500
MAX_BATCH_BYTES = 256 * 1024
PULL_INTERVAL_S = 45.0


class SyncEngine:
    def __init__(
        self,
        store: Store,
        outbox: Outbox,
        assignments: AssignmentCache,
        api: ApiClient,
        *,
        on_state: Callable[[SyncState], None] = lambda s: None,
        on_assignments_changed: Callable[[], None] = lambda: None,
        backoff: Backoff | None = None,
        pull_interval_s: float = PULL_INTERVAL_S,
    ) -> None:
        self._store = store
        self._outbox = outbox
        self._assignments = assignments
        self._api = api
        self._on_state = on_state
        self._on_assignments_changed = on_assignments_changed
        self._backoff = backoff or Backoff()
        self._pull_interval_s = pull_interval_s
        self._batch = MAX_BATCH_EVENTS
        self._facts = asyncio.Event()
        self._connectivity = asyncio.Event()
        self._last_pull = -float("inf")
        self._stopped = False
        self.state = SyncState(
            online=False,
            offline_since=None,
            pending=outbox.pending_counts(),
            rejected=outbox.problem_count(),
        )

    # -- signals from the rest of the app -------------------------------------------------

    def facts_added(self) -> None:
        """New facts are in the outbox: push soon if we are online."""
        self._publish(pending=self._outbox.pending_counts())
        self._facts.set()

    def connectivity_changed(self) -> None:
        """The link may be back: try at once instead of waiting out the backoff."""
        self._backoff.reset()
        self._connectivity.set()

    def stop(self) -> None:
        self._stopped = True
        self._connectivity.set()
        self._facts.set()

    # -- the loop -------------------------------------------------------------------------

    async def run(self) -> None:
        while not self._stopped:
            try:
                await self.sync_once()
            except (NetworkUnavailable, ServerBusy) as exc:
                delay = self._backoff.next_delay(getattr(exc, "retry_after_s", None))
                self._went_offline(str(exc))
                log.info("sync failed (%s); next attempt in %.1f s", exc, delay)
                await self._wait(delay, wake_on_facts=False)
                continue
            except (LoginRequired, UpdateRequired) as exc:
                self._publish(online=False, last_error=str(exc))
                await self._wait(None, wake_on_facts=False)
                continue
            self._backoff.reset()
            await self._wait(self._pull_interval_s, wake_on_facts=True)

    async def _wait(self, delay_s: float | None, *, wake_on_facts: bool) -> None:
        waits = [asyncio.ensure_future(self._connectivity.wait())]
        if wake_on_facts:
            waits.append(asyncio.ensure_future(self._facts.wait()))
        try:
            await asyncio.wait(waits, timeout=delay_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()
        self._connectivity.clear()
        self._facts.clear()

    async def sync_once(self) -> bool:
        """Push every stream until drained, then pull. Returns whether anything moved."""
        moved = False
        for stream in STREAMS:
            moved |= await self._drain(stream)
        now = time.monotonic()
        if moved or now - self._last_pull >= self._pull_interval_s:
            await self.pull()
            self._last_pull = now
        self._publish(
            online=True,
            offline_since=None,
            last_success=datetime.now(UTC),
            last_error=None,
            pending=self._outbox.pending_counts(),
        )
        return moved

    async def _drain(self, stream: str) -> bool:
        moved = False
        while True:
            events = self._outbox.pending(stream, max_count=self._batch, max_bytes=MAX_BATCH_BYTES)
            if not events:
                return moved
            client_id = self._store.client_id
            body = {
                "client_id": client_id,
                "device_id": self._store.device_id,
                "stream": stream,
                "events": [e.wire() for e in events],
            }
            try:
                response = await self._api.push(body)
            except ServerRefused as exc:
                if exc.status == 413 and self._batch > 1:
                    self._batch = max(1, self._batch // 2)
                    continue
                raise
            outcome = self._outbox.record_push_result(stream, client_id, response)
            self._batch = min(MAX_BATCH_EVENTS, self._batch * 2)
            self._publish(
                pending=self._outbox.pending_counts(), rejected=self._outbox.problem_count()
            )
            progressed = outcome.acked + outcome.rejected + outcome.conflicts
            moved |= progressed > 0
            if not progressed and outcome.resend_from is None and not outcome.client_rebased:
                log.warning("push of %s made no progress: %s", stream, response.get("results"))
                return moved

    async def pull(self) -> None:
        """Fetch every page of changes, then apply them with the cursor in one transaction."""
        cursor = self._assignments.cursor()
        staged: list[dict[str, Any]] = []
        reset = False
        while True:
            response = await self._api.pull(self._store.client_id, cursor)
            if response.get("reset"):
                # A reset starts over: whatever earlier pages said is superseded.
                reset, staged = True, []
            staged.extend(response.get("changes") or [])
            cursor = response.get("cursor")
            if not response.get("has_more"):
                break
        response = {**response, "reset": reset}
        try:
            changed = self._assignments.apply_pull(response, staged)
        except BadRouteData as exc:
            self._publish(last_error=f"the server sent a route we cannot use: {exc}")
            log.error("pull refused: %s", exc)
            return
        if changed:
            self._on_assignments_changed()

    # -- state ----------------------------------------------------------------------------

    def _went_offline(self, reason: str) -> None:
        keep = not self.state.online and self.state.offline_since is not None
        self._publish(
            online=False,
            offline_since=self.state.offline_since if keep else datetime.now(UTC),
            last_error=reason,
            pending=self._outbox.pending_counts(),
        )

    def _publish(self, **changes: Any) -> None:
        new = replace(self.state, **changes)
        if new != self.state:
            self.state = new
            self._on_state(new)
