# Over 450 lines: the one service the screens call; what it composes lives in its own modules.
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
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from app.auto_start import MotionStart
from app.fix_recorder import FIX_BATCH_SECONDS, FIXES_PER_GPS_BATCH, FixRecorder
from app.gps_status import GpsStatus
from app.route_locator import RouteLocator
from client.api import ApiClient
from client.assignments import AssignmentCache
from client.clock import SYSTEM_CLOCK, Clock
from client.coverage_store import load_coverage, save_coverage
from client.db import iso_z
from client.errors import UserFacingError
from client.forms import AnswerContext, FormCache, record_answer
from client.messages import MessageInbox, PulledState
from client.models import (
    Assignment,
    Changes,
    CurbSide,
    ExceptionKind,
    GpsQuality,
    GpsState,
    SupervisorMessage,
    SyncState,
)
from client.outbox import Outbox
from client.recovery_report import report_recovery
from client.store import Store
from coverage.engine import CoverageEngine
from coverage.explain import NotSweptReason, SegmentExplanation
from coverage.model import Fix, Progress, SegmentState, SegmentStatus
from sync.engine import SyncEngine
from wire import events

if TYPE_CHECKING:
    # httpx (a fifth of a second to import) is not needed to show the cached route.
    from client.transport import SwitchableTransport

log = logging.getLogger("sweepline.tablet")

TRAIL_LENGTH = 120
# Walking pace: above it the operator is driving (no typing, no reading dialogs).
MOVING_KMH = 5.0
NOT_SWEPT_EVENT = events.SEGMENT_NOT_SWEPT
# The kv entry naming the assignment whose shift is running (empty: none).
SHIFT_KEY = "shift_assignment"


class Tablet:
    def __init__(
        self,
        store: Store,
        api: ApiClient,
        *,
        transport: SwitchableTransport | None = None,
        gps_source_name: str = "",
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.store = store
        self.api = api
        self.clock = clock
        self.outbox = Outbox(store, clock)
        # A database set aside at start: the supervisor hears of it with the next push.
        report_recovery(store, self.outbox)
        self.messages = MessageInbox(store)
        self.forms = FormCache(store)
        self.assignments: AssignmentCache = PulledState(
            store,
            self.messages,
            lambda: self._notify(Changes(messages=True)),
            self.forms,
            clock,
        )
        self._locator = RouteLocator()
        self._transport = transport
        self._subscribers: list[Callable[[Changes], None]] = []
        self._trail: deque[Fix] = deque(maxlen=TRAIL_LENGTH)
        self._gps = GpsStatus(gps_source_name)
        self.shift_active = False
        # Motion starts the shift unless the operator ended it in this run (then only
        # "Start shift" does): nobody sweeps for nothing because a tap was forgotten.
        self._auto_start = True
        self._motion_start = MotionStart()
        self.engine = SyncEngine(
            store,
            self.outbox,
            self.assignments,
            api,
            on_state=lambda _s: self._notify(Changes(sync=True, outbox=True)),
            on_assignments_changed=self._on_engine_assignments_changed,
            seal_fixes=lambda: self.outbox.seal_fixes(FIXES_PER_GPS_BATCH, partial=True),
            wall_clock=clock.now,
        )
        self._fixes = FixRecorder(store, self.outbox, self.engine, self._save_coverage)
        self.assignment: Assignment | None = None
        self.coverage: CoverageEngine | None = None
        self._load_assignment()
        if self.assignment is not None and store.get_kv(SHIFT_KEY) == self.assignment.id:
            # The app stopped mid-shift (a crash, a power cut): recording goes on from the
            # first fix, as the shift never ended.
            self.shift_active = True
            log.info("shift resumed after a restart")
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
        self.coverage = load_coverage(self.store, self.assignment)

    def reload_assignment(self) -> None:
        """Re-read the cached assignment (after a pull) and tell the screens if it changed."""
        before = self.assignment
        self._load_assignment()
        if before != self.assignment:
            self._notify(Changes(route=True))

    def _on_engine_assignments_changed(self) -> None:
        self.reload_assignment()

    # -- the shift ------------------------------------------------------------------------

    def start_shift(self, started_by: str = "operator") -> None:
        """Start recording; `started_by` is "operator" (the button) or "motion"."""
        if self.shift_active or self.assignment is None:
            return
        payload: dict[str, object] = {"assignment_id": self.assignment.id, "started_by": started_by}
        self._record_event("shift_started", payload, None)
        self.store.set_kv(SHIFT_KEY, self.assignment.id)
        self.shift_active = True
        log.info("shift started (%s)", started_by)
        self._notify(Changes(shift=True, outbox=True))

    def end_shift(self, left_open: Iterable[str] = ()) -> None:
        """Stop recording; `left_open`: unswept segments the operator chose to leave open."""
        if not self.shift_active or self.assignment is None:
            return
        self.flush_fixes(seal=True)
        payload: dict[str, object] = {"assignment_id": self.assignment.id}
        open_ids = sorted(set(left_open))
        if open_ids:
            payload["left_open"] = open_ids
        self._record_event("shift_ended", payload, None)
        self.store.set_kv(SHIFT_KEY, "")
        self.shift_active = False
        self._auto_start = False
        self._notify(Changes(shift=True, outbox=True))

    def unswept_segments(self) -> list[str]:
        """Segments neither swept nor given a reason: what the end-of-shift check asks about."""
        out = []
        for segment_id, status in self.statuses().items():
            if status.state is SegmentState.SWEPT:
                continue
            if self.explain(segment_id).operator is not None:
                continue
            out.append(segment_id)
        return out

    # -- operator facts: exceptions, notes, reasons, acknowledgements ---------------------

    def _last_fix(self) -> Fix | None:
        return self._trail[-1] if self._trail else None

    def speed_kmh(self) -> float | None:
        """The receiver's speed at the last fresh fix, or None when there is none."""
        fix = self._last_fix()
        if fix is None or fix.speed_mps is None or self.gps_state().quality is not GpsQuality.FIX:
            return None
        return fix.speed_mps * 3.6

    def is_moving(self) -> bool:
        speed = self.speed_kmh()
        return speed is not None and speed > MOVING_KMH

    def current_segment(self) -> str | None:
        """The route segment under the vehicle (nearest within 25 m of the last fix)."""
        fix = self._last_fix()
        if fix is None or self.assignment is None:
            return None
        return self._locator.segment_at(self.assignment.route, fix)

    def record_exception(
        self, kind: ExceptionKind | str, side: CurbSide | str, note: str | None = None
    ) -> str:
        """One tap: commit an exception at the current segment and position; returns its id."""
        if self.assignment is None:
            raise RuntimeError("facts need an assignment to belong to")
        kind, side = ExceptionKind(kind), CurbSide(side)
        fix = self._last_fix()
        event_id = str(uuid.uuid4())
        payload = events.exception(
            kind=kind.value,
            side=side.value,
            assignment_id=self.assignment.id,
            route_id=self.assignment.route.id,
            segment_id=self.current_segment(),
            position=(fix.lat, fix.lon, self.speed_kmh() or 0.0) if fix else None,
            note=note,
        )
        self._record_event(events.EXCEPTION, payload, fix.t if fix else None, event_id=event_id)
        self._notify(Changes(outbox=True))
        return event_id

    def add_note(self, text: str, *, about: str | None = None) -> None:
        """A typed note (only offered when stopped), optionally about an exception's id."""
        if self.assignment is None or not text.strip():
            return
        fix = self._last_fix()
        payload: dict[str, object] = {
            "text": text.strip(),
            "assignment_id": self.assignment.id,
            "segment_id": self.current_segment(),
        }
        if about:
            payload["about"] = about
        self._record_event("note", payload, fix.t if fix else None)
        self._notify(Changes(outbox=True))

    def answer_form(self, form_id: str, answers: dict[str, object]) -> int:
        """Record answers to a cached form as one `form_answer` fact, with when and where
        (assignment, route, current segment, last position); returns its outbox sequence.
        `LookupError` if the form is not cached; `FormAnswerError` if the answers do not fit."""
        form = self.forms.get(form_id)
        if form is None:
            raise LookupError(f"form {form_id!r} is not on this tablet (not pulled yet)")
        fix = self._last_fix()
        assignment = self.assignment
        context = AnswerContext(
            answered_at=iso_z(self.clock.now()),
            assignment_id=assignment.id if assignment else None,
            assignment_version=assignment.version if assignment else None,
            route_id=assignment.route.id if assignment else None,
            segment_id=self.current_segment(),
            lat=fix.lat if fix else None,
            lon=fix.lon if fix else None,
            gps_time=iso_z(fix.t) if fix else None,
        )
        seq = record_answer(self.outbox, form, dict(answers), context)
        self._notify(Changes(outbox=True))
        self.engine.facts_added()
        return seq

    def mark_not_swept(self, segment_id: str, reason: NotSweptReason | str, note: str = "") -> None:
        """The operator says this segment is not swept, and why (a fact, and its colour)."""
        if self.assignment is None or self.coverage is None:
            return
        reason = NotSweptReason(reason)
        now = self.clock.now()
        payload: dict[str, object] = dict(
            self.coverage.mark_not_swept(segment_id, reason, now, note)
        )
        payload.update(assignment_id=self.assignment.id, route_id=self.assignment.route.id)
        with self.store.transaction():
            self._save_coverage()
            self._record_event(NOT_SWEPT_EVENT, payload, None)
        self._notify(Changes(segments=frozenset({segment_id}), outbox=True))

    def explain(self, segment_id: str) -> SegmentExplanation:
        """Why this segment is, or is not, swept, with the engine's numbers."""
        if self.coverage is None:
            raise KeyError(segment_id)
        return self.coverage.explain(segment_id)

    def sweeping_passes(self) -> int:
        """Sweeping passes over the whole route so far."""
        if self.coverage is None:
            return 0
        return sum(int(self.coverage.passes(s.id)[1]) for s in self.coverage.route.segments)

    def supervisor_messages(self) -> list[SupervisorMessage]:
        return self.messages.all()

    def acknowledge_message(self, message_id: str) -> None:
        """One tap: the operator has read the message (a `message_ack` fact)."""
        if self.assignment is None:
            return
        with self.store.transaction():
            if not self.messages.mark_acknowledged(message_id):
                return
            fix = self._last_fix()
            self._record_event(
                "message_ack",
                {"message_id": message_id, "assignment_id": self.assignment.id},
                fix.t if fix else None,
            )
        self._notify(Changes(messages=True, outbox=True))

    def _record_event(
        self,
        type: str,
        payload: dict[str, object],
        gps_time: datetime | None,
        *,
        event_id: str | None = None,
    ) -> None:
        if self.assignment is None:
            raise RuntimeError("facts need an assignment to belong to")
        self.outbox.append(
            "events",
            type,
            payload,
            assignment_version=self.assignment.version,
            gps_time=iso_z(gps_time) if gps_time else None,
            event_id=event_id,
        )
        self.engine.facts_added()

    # -- fixes ----------------------------------------------------------------------------

    def record_fix(
        self, fix: Fix, *, new_track: bool = False, satellites: int | None = None
    ) -> Changes:
        """One position from the GPS source; returns (and publishes) what it changed.

        `new_track`: the filter saw a gap or a re-anchor, so coverage must not bridge
        from the previous fix. With an assignment and no shift, motion along the route
        starts the shift. With no assignment the vehicle shows on the map, and nothing
        is recorded: there is no route to sweep or to file facts against.
        """
        previous = self._trail[-1] if self._trail else None
        self._trail.append(fix)
        self._gps.fix_received(satellites)
        if not self.shift_active:
            self._maybe_start_on_motion(fix, previous)
        if new_track and self.coverage is not None:
            self.coverage.break_track()
        segments: frozenset[str] = frozenset()
        if self.shift_active and self.coverage is not None and self.assignment is not None:
            self._fixes.add(fix, self.assignment.version)
            update = self.coverage.add_fix(fix)
            segments = update.changed
            for segment_id in sorted(update.newly_swept):
                self._record_swept(segment_id, fix)
        changes = Changes(segments=segments, vehicle=fix, gps=True)
        self._notify(changes)
        return changes

    def _record_swept(self, segment_id: str, fix: Fix) -> None:
        if self.assignment is None or self.coverage is None:
            return
        explanation = self.coverage.explain(segment_id)
        payload = events.segment_swept(
            assignment_id=self.assignment.id,
            route_id=self.assignment.route.id,
            segment_id=segment_id,
            covered_fraction=self.coverage.status(segment_id).covered_fraction,
            sensed=explanation.source == "sensed",
            profile=explanation.profile,
            rule=explanation.rule,
            extent_pct_by_side=explanation.extent_pct_by_side,
            sides_done=explanation.sides_done,
        )
        with self.store.transaction():
            self._save_coverage()
            self._record_event(events.SEGMENT_SWEPT, payload, fix.t)

    def flush_fixes(self, *, seal: bool = False) -> None:
        """Commit buffered fixes with their coverage (all of them sealed when `seal`)."""
        self._fixes.flush(self.assignment.version if self.assignment else None, seal=seal)

    def _save_coverage(self) -> None:
        if self.coverage is None or self.assignment is None:
            return
        save_coverage(self.store, self.assignment.id, self.coverage.take_dirty())

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
        return self._gps.state(self._last_fix())

    def set_gps_link(self, status: str, error: str | None) -> None:
        """The source's own state: the status strip says why there is no fix."""
        if self._gps.set_link(status, error):
            self._notify(Changes(gps=True))

    def _maybe_start_on_motion(self, fix: Fix, previous: Fix | None) -> None:
        if not self._auto_start or self.assignment is None:
            return
        if self._motion_start.observe(fix, previous, lambda: self.current_segment() is not None):
            self.start_shift(started_by="motion")

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
