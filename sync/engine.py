"""The sync loop: push each stream in order, pull the server's changes, back off.

Runs as one task on the application's asyncio loop. The two streams are pushed side by
side, each under its own lock (single flight per stream), so a long GPS backlog never
holds a shift end behind it. Network I/O never happens inside a database transaction:
events are read, the request is made, then the answer is recorded in one transaction.

Batches adapt by count and by bytes (`BatchLimits`). Failures wait a full-jitter backoff
with the server's Retry-After as a floor.
A watchdog recreates the HTTP client when facts are waiting and no ack has come for
ten minutes although the link is up. Every change is published as a `SyncState`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from client.api import ApiClient
from client.assignments import AssignmentCache, BadRouteData
from client.db import iso_z
from client.errors import (
    LoginRequired,
    NetworkUnavailable,
    RequestTimedOut,
    ServerBusy,
    ServerRefused,
    StorageError,
    UpdateRequired,
)
from client.models import SyncState
from client.outbox import Outbox, OutboxEvent
from client.store import Store
from sync.backoff import Backoff
from sync.batch_limits import MAX_BATCH_BYTES, MAX_BATCH_EVENTS, BatchLimits
from wire.protocol import STREAMS

log = logging.getLogger("sweepline.sync")

MAX_REPORTED_WAITING = 10_000_000
PULL_INTERVAL_S = 45.0
WATCHDOG_S = 600.0
RETENTION_S = 7 * 24 * 3600.0
PRUNE_EVERY_S = 3600.0
# The jittered wait before the one immediate retry when connectivity comes back.
RECONNECT_JITTER_S = 0.5


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
        refresh_login: Callable[[], Awaitable[bool]] | None = None,
        seal_fixes: Callable[[], int] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], Awaitable[None]] | None = None,
        watchdog_s: float = WATCHDOG_S,
        retention_s: float = RETENTION_S,
        max_batch_events: int = MAX_BATCH_EVENTS,
        max_batch_bytes: int = MAX_BATCH_BYTES,
    ) -> None:
        self._store = store
        self._outbox = outbox
        self._assignments = assignments
        self._api = api
        self._on_state = on_state
        self._on_assignments_changed = on_assignments_changed
        self._backoff = backoff or Backoff()
        self._pull_interval_s = pull_interval_s
        self._refresh_login = refresh_login or api.refresh_session
        self._seal_fixes = seal_fixes
        self._clock = clock
        self._wall_clock = wall_clock
        self._sleep = sleep
        self._watchdog_s = watchdog_s
        self._retention_s = retention_s
        self.batch_limits = BatchLimits(STREAMS, max_batch_events, max_batch_bytes)
        self._locks = {s: asyncio.Lock() for s in STREAMS}
        # Streams stopped by an event the server will never take (413 for one event).
        self.blocked: dict[str, str] = {}
        self._alert: str | None = None
        self._facts = asyncio.Event()
        self._connectivity = asyncio.Event()
        self._reconnected = False
        self._link_up = True
        self._halted = False
        self._refreshed = False
        self._last_pull = -float("inf")
        self._last_prune = -float("inf")
        self._last_progress = clock()
        self._stopped = False
        # Counters for tests and benchmarks: push requests made, failed attempts.
        self.push_requests = 0
        self.failed_attempts = 0
        self.state = SyncState(
            online=False,
            offline_since=None,
            pending=outbox.pending_counts(),
            rejected=outbox.problem_count(),
            conflicts=outbox.conflict_count(),
            storage_notice=store.recovery_notice,
        )

    # -- signals from the rest of the app -------------------------------------------------

    def facts_added(self) -> None:
        """New facts are in the outbox: push soon if we are online."""
        self._publish(pending=self._outbox.pending_counts(), storage_error=None)
        self._facts.set()

    def storage_failed(self, message: str) -> None:
        """A local write failed (disk full …): show it; what was stored stays."""
        self._publish(storage_error=message, last_error=message)

    def connectivity_changed(self, available: bool = True) -> None:
        """The link may be back: one jittered immediate retry instead of the backoff."""
        self._link_up = available
        if available:
            self._backoff.reset()
            self._reconnected = True
            self._connectivity.set()

    def login_completed(self) -> None:
        """The operator logged in again: resume uploading the kept queue."""
        self._halted = False
        self._refreshed = False
        self._publish(login_required=False, last_error=None)
        self._connectivity.set()

    def stop(self) -> None:
        self._stopped = True
        self._connectivity.set()
        self._facts.set()

    # -- the loop -------------------------------------------------------------------------

    async def run(self) -> None:
        while not self._stopped:
            if self._halted:
                await self._wait(None, wake_on_facts=False)
                continue
            if self._reconnected:
                self._reconnected = False
                await self._pause(random.random() * RECONNECT_JITTER_S)
            try:
                await self.sync_once()
            except LoginRequired as exc:
                if await self._try_refresh():
                    continue
                self._halted = True
                self._publish(
                    online=False,
                    login_required=True,
                    last_error=f"Log in again to keep uploading ({exc}). Nothing recorded is lost.",
                )
                log.warning("login required: %s", exc)
                continue
            except UpdateRequired as exc:
                self._halted = True
                self._publish(update_required=True, last_error=str(exc))
                log.error("update required: %s", exc)
                continue
            except (NetworkUnavailable, ServerBusy, ServerRefused, StorageError) as exc:
                self.failed_attempts += 1
                floor = exc.retry_after_s if isinstance(exc, ServerBusy) else None
                delay = self._backoff.next_delay(floor)
                if isinstance(exc, StorageError):
                    self.storage_failed(str(exc))
                else:
                    self._went_offline(str(exc))
                log.info("sync failed (%s); next attempt in %.1f s", exc, delay)
                await self._watchdog()
                await self._wait(delay, wake_on_facts=False)
                continue
            self._backoff.reset()
            self._refreshed = False
            self._prune_if_due()
            await self._wait(self._pull_interval_s, wake_on_facts=True)

    async def _try_refresh(self) -> bool:
        """One token refresh per refusal, when the application offers a way to refresh."""
        if self._refreshed:
            return False
        self._refreshed = True
        try:
            return await self._refresh_login()
        except (LoginRequired, NetworkUnavailable, ServerBusy, ServerRefused) as exc:
            log.info("token refresh failed: %s", exc)
            return False

    async def _pause(self, delay_s: float) -> None:
        if self._sleep is not None:
            await self._sleep(delay_s)
        else:
            await asyncio.sleep(delay_s)

    async def _wait(self, delay_s: float | None, *, wake_on_facts: bool) -> None:
        if self._sleep is not None and delay_s is not None:
            await self._sleep(delay_s)
            return
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
        """Push both streams until drained, then pull. Returns whether anything moved."""
        if self._seal_fixes is not None and self.state.online:
            self._seal_fixes()
        results = await asyncio.gather(
            *(self._push_stream(s) for s in STREAMS), return_exceptions=True
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            raise _most_telling(errors)
        moved = any(r is True for r in results)
        now = self._clock()
        if moved or self._reconnected or now - self._last_pull >= self._pull_interval_s:
            await self.pull()
            self._last_pull = now
        self._publish(
            online=True,
            offline_since=None,
            last_success=self._wall_clock(),
            # A stream stopped on an event the server refuses, or a reused-number
            # alarm, stays on screen after later successes.
            last_error=next(iter(self.blocked.values()), self._alert),
            pending=self._outbox.pending_counts(),
        )
        return moved

    async def _push_stream(self, stream: str) -> bool:
        async with self._locks[stream]:
            return await self._drain(stream)

    async def _drain(self, stream: str) -> bool:
        moved = False
        while not self._stopped and stream not in self.blocked:
            count, nbytes = self.batch_limits[stream]
            events = self._outbox.pending(stream, max_count=count, max_bytes=nbytes)
            if not events:
                return moved
            client_id = self._store.client_id
            body = {
                "client_id": client_id,
                "device_id": self._store.device_id,
                "stream": stream,
                # Parsing hundreds of stored payloads is off the UI's loop for big batches.
                "events": await _wire(events),
                # The outbox depth at send time, for the supervisor's fleet view.
                # Informational only: clamped to what the server accepts, so a huge
                # backlog can never get a push refused.
                "waiting": {
                    k: min(n, MAX_REPORTED_WAITING)
                    for k, n in self._outbox.pending_counts().items()
                },
            }
            self.push_requests += 1
            try:
                response = await self._api.push(body)
            except RequestTimedOut:
                self.batch_limits.shrink(stream, len(events))
                raise
            except ServerRefused as exc:
                if exc.status != 413:
                    raise
                if len(events) > 1:
                    self.batch_limits.shrink(stream, len(events))
                    continue
                self._block(stream, events[0].seq, exc.detail)
                return moved
            self._saw_server(response)
            outcome = self._outbox.record_push_result(
                stream, client_id, response, acked_at=self._wall_clock()
            )
            self.batch_limits.grow(stream)
            progressed = outcome.acked + outcome.rejected + outcome.conflicts
            if progressed:
                self._last_progress = self._clock()
                moved = True
            changes: dict[str, Any] = {
                "pending": self._outbox.pending_counts(),
                "rejected": self._outbox.problem_count(),
                "conflicts": self._outbox.conflict_count(),
                "stale_facts": self._outbox.flagged_count("stale_assignment"),
            }
            if outcome.conflicts:
                changes["last_error"] = self._alert = (
                    f"ALERT: the server already had {outcome.conflicts} {stream} fact(s) under"
                    " the same number with other content. They are kept on this tablet and"
                    " sent again under a new identity. Tell your supervisor."
                )
                log.error("conflict_reused_seq on %s: %s", stream, response.get("results"))
            self._publish(**changes)
            if not progressed and outcome.resend_from is None and not outcome.client_rebased:
                log.warning("push of %s made no progress: %s", stream, response.get("results"))
                return moved
        return moved

    def _block(self, stream: str, seq: int, detail: str) -> None:
        message = (
            f"{stream} fact #{seq} is larger than the server accepts; uploads of {stream} are"
            f" stopped so it is not lost. Tell your supervisor. ({detail})"
        )
        self.blocked[stream] = message
        log.error("%s", message)
        self._publish(last_error=message)

    async def pull(self) -> None:
        """Fetch every page of changes, then apply them with the cursor in one transaction."""
        cursor = self._assignments.cursor()
        staged: list[dict[str, Any]] = []
        reset = False
        while True:
            response = await self._api.pull(self._store.client_id, cursor)
            self._saw_server(response)
            if response.get("reset"):
                # A reset starts over: whatever earlier pages said is superseded.
                reset, staged = True, []
            staged.extend(response.get("changes") or [])
            cursor = response.get("cursor")
            if not response.get("has_more"):
                break
        response = {**response, "reset": reset}
        self._reconcile(response.get("last_processed_seq"))
        try:
            changed = self._assignments.apply_pull(response, staged)
        except BadRouteData as exc:
            self._publish(last_error=f"the server sent a route we cannot use: {exc}")
            log.error("pull refused: %s", exc)
            return
        if changed:
            self._on_assignments_changed()

    def _reconcile(self, server_last: Any) -> None:
        if not isinstance(server_last, dict):
            return
        marks = {s: int(server_last.get(s) or 0) for s in STREAMS}
        if self._outbox.reconcile(marks):
            self._publish(
                last_error="this tablet's database had gone back in time; it now uploads"
                " under a new identity and nothing is lost"
            )
        self._publish(pending=self._outbox.pending_counts())

    # -- housekeeping ---------------------------------------------------------------------

    async def _watchdog(self) -> None:
        """Facts waiting, link up, no ack progress for too long: recreate the client."""
        now = self._clock()
        waiting = any(self._outbox.pending_rows(s) for s in STREAMS)
        if not waiting or not self._link_up:
            self._last_progress = now
            return
        if now - self._last_progress < self._watchdog_s:
            return
        self._last_progress = now
        log.warning("no upload progress for %.0f s: recreating the HTTP client", self._watchdog_s)
        await self._api.recreate()
        self._publish(
            watchdog_restarts=self.state.watchdog_restarts + 1,
            last_error="uploads were stuck for 10 minutes; the connection was restarted",
        )

    def _prune_if_due(self) -> None:
        now = self._clock()
        if now - self._last_prune < PRUNE_EVERY_S:
            return
        self._last_prune = now
        cutoff = self._wall_clock() - timedelta(seconds=self._retention_s)
        try:
            pruned = self._outbox.prune_acked(iso_z(cutoff))
        except StorageError as exc:
            log.warning("pruning the outbox failed: %s", exc)
            return
        if pruned:
            log.info("pruned %d acknowledged outbox rows", pruned)

    # -- state ----------------------------------------------------------------------------

    def _saw_server(self, response: dict[str, Any]) -> None:
        """Any valid answer: we are online, and the server's clock tells our skew."""
        changes: dict[str, Any] = {"online": True, "offline_since": None}
        server_time = response.get("server_time")
        if isinstance(server_time, str):
            try:
                theirs = datetime.fromisoformat(server_time.replace("Z", "+00:00"))
            except ValueError:
                theirs = None
            if theirs is not None and theirs.tzinfo is not None:
                changes["clock_skew_s"] = round((self._wall_clock() - theirs).total_seconds(), 1)
        self._publish(**changes)

    def _went_offline(self, reason: str) -> None:
        keep = not self.state.online and self.state.offline_since is not None
        self._publish(
            online=False,
            offline_since=self.state.offline_since if keep else self._wall_clock(),
            last_error=reason,
            pending=self._outbox.pending_counts(),
        )

    def _publish(self, **changes: Any) -> None:
        new = replace(self.state, **changes)
        if new != self.state:
            self.state = new
            self._on_state(new)


async def _wire(events: list[OutboxEvent]) -> list[dict[str, Any]]:
    if len(events) <= 8:
        return [e.wire() for e in events]
    return await asyncio.to_thread(lambda: [e.wire() for e in events])


def _most_telling(errors: list[BaseException]) -> BaseException:
    """Of the two streams' failures, the one that decides what to do next."""
    for error in errors:
        if not isinstance(error, Exception):
            return error  # a cancellation goes first
    for kind in (LoginRequired, UpdateRequired, StorageError, ServerBusy):
        for error in errors:
            if isinstance(error, kind):
                return error
    return errors[0]
