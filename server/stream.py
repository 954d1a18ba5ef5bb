"""The supervisors' live stream: an in-process hub the push path publishes to, and the
fleet snapshot a stream (or a polling supervisor) starts from.

Pushes are handled on uvicorn's worker threads; each subscriber is an asyncio queue on
the event loop serving its `GET /api/v1/stream`. A push publishes what it applied as one
batch, encoded and framed once, handed to the loop with one `call_soon_threadsafe`, so a
push never waits for a slow supervisor: a queue that fills up drops what does not fit
and the stream tells its client to resynchronise (`lagged`). With several processes on
PostgreSQL the batch goes through LISTEN/NOTIFY first (server/pg_fanout.py) and comes
back to every process's hub. Nothing here is durable; the facts are, and a supervisor
that reconnects starts again from a fresh snapshot.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from server.clock import local_today, server_time, utc_now
from server.dbapi import ClientConnection, Connection
from server.metrics import route_progress
from server.payloads import stored_object, stored_payload
from wire.protocol import APPLIED, FIX_BATCH, FIX_FIELDS, FixBatchError, decode_fix_batch

QUEUE_SIZE: Final = 5000
# Sends a batch to every process (server.pg_fanout) with a push's commit.
Relay = Callable[[list[tuple[str, dict[str, Any]]], ClientConnection], None]
# The tablet's database was set aside at start (client/salvage.py): shown on its vehicle.
STORAGE_RECOVERED: Final = "storage_recovered"


def sse_frame(event_id: int | None, kind: str, data: str) -> str:
    """One Server-Sent Events frame (rendered once per event, shared by every stream)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\ndata: {data}\n\n"


@dataclass(eq=False)
class Subscriber:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: int = 0

    def offer(self, frame: str) -> None:
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.dropped += 1


class StreamHub:
    """Fan-out of live events to every open stream (thread-safe publish).

    A push publishes its events as one batch: each event is encoded once, and each event
    loop with subscribers is woken once per batch (not once per event and subscriber),
    so the cost a push pays for the streams stays small however many are open.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: set[Subscriber] = set()
        self._next_id = 0
        # Several processes (server.pg_fanout): publish goes out through the relay (with
        # the push's commit), and comes back to every process, this one
        # included, through `deliver`.
        self.relay: Relay | None = None

    def subscribe(self) -> Subscriber:
        """Call on the event loop that will read the subscriber's queue."""
        sub = Subscriber(asyncio.get_running_loop())
        with self._lock:
            self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(sub)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def publish_batch(
        self, events: list[tuple[str, dict[str, Any]]], unit: ClientConnection
    ) -> None:
        """Deliver `events` (kind, data) in order to every open stream once the push's
        transaction `unit` has committed, and never if it rolls back."""
        if self.relay is not None:
            if events:
                self.relay(events, unit)
        else:
            unit.after_commit(lambda: self.deliver(events))

    def deliver(self, events: list[tuple[str, dict[str, Any]]]) -> None:
        """Hand `events` to the streams open in this process."""
        if not events or not self._subscribers:
            return
        with self._lock:
            first = self._next_id + 1
            self._next_id += len(events)
            by_loop: dict[asyncio.AbstractEventLoop, list[Subscriber]] = {}
            for sub in self._subscribers:
                by_loop.setdefault(sub.loop, []).append(sub)
        frames = [
            sse_frame(first + i, kind, json.dumps(data, separators=(",", ":")))
            for i, (kind, data) in enumerate(events)
        ]
        for loop, subs in by_loop.items():
            try:
                loop.call_soon_threadsafe(_offer_all, subs, frames)
            except RuntimeError:  # that loop has closed: its streams are gone
                for sub in subs:
                    self.unsubscribe(sub)


def _offer_all(subs: list[Subscriber], frames: list[str]) -> None:
    for sub in subs:
        for frame in frames:
            sub.offer(frame)


def _last_fix(payload: Any) -> dict[str, Any] | None:
    try:
        rows = decode_fix_batch(payload)
    except FixBatchError:
        return None
    last = dict(zip(FIX_FIELDS, rows[-1], strict=True))
    return {**last, "fix_count": len(rows)}


def publish_push(
    hub: StreamHub,
    unit: ClientConnection,
    *,
    username: str,
    device_id: str,
    stream: str,
    events: Iterable[tuple[str, Any, str | None]],
    statuses: dict[int, str],
    seqs: Iterable[int],
    last_processed_seq: int,
    waiting: dict[str, int] | None = None,
) -> None:
    """Publish what one push applied (in its transaction `unit`, so it goes out with the
    commit): positions, progress, exceptions and feedback, then the device's sync time.
    `events` are (type, payload, gps_time) in seq order; `waiting` is the outbox depth
    the tablet reported with this push (None: not reported)."""
    if hub.subscriber_count == 0 and hub.relay is None:
        return
    batch: list[tuple[str, dict[str, Any]]] = []
    now = server_time()
    base: dict[str, Any] = {"username": username, "device_id": device_id, "received_at": now}
    if waiting is not None:
        base["waiting"] = {**waiting, "reported_at": now}
    last_position: dict[str, Any] | None = None
    for seq, (type_, payload, gps_time) in zip(seqs, events, strict=True):
        if statuses.get(seq) != APPLIED:
            continue
        if type_ == FIX_BATCH:
            last_position = _last_fix(payload) or last_position
        elif type_ == "segment_swept":
            batch.append(
                (
                    "progress",
                    {
                        **base,
                        **_pick(payload, "route_id", "segment_id", "assignment_id", "side"),
                        "swept_at": gps_time or now,
                    },
                )
            )
        elif type_ == "exception":
            batch.append(("exception", {**base, "payload": payload, "time": gps_time or now}))
        elif type_ in ("form_answer", "note"):
            batch.append(
                ("feedback", {**base, "type": type_, "payload": payload, "time": gps_time or now})
            )
        elif type_ == STORAGE_RECOVERED:
            batch.append(("alert", {**base, "alert": storage_alert(payload, now)}))
    if last_position is not None:
        batch.append(("position", {**base, **last_position, "published": utc_now().timestamp()}))
    batch.append(("sync", {**base, "stream": stream, "last_processed_seq": last_processed_seq}))
    hub.publish_batch(batch, unit)


def _pick(payload: Any, *keys: str) -> dict[str, Any]:
    return {k: payload.get(k) for k in keys} if isinstance(payload, dict) else {}


def fleet_snapshot(conn: Connection, day: str | None = None) -> list[dict[str, Any]]:
    """Each vehicle assigned on `day` (default today): who, which route, how far, and how
    fresh its data is (last fix, when the server last heard from the device, and the facts
    waiting on the tablet as it last reported them)."""
    day = day or local_today().isoformat()
    progress = {p["route_id"]: p for p in route_progress(conn, day)}
    vehicles: dict[str, dict[str, Any]] = {}
    for row in conn.execute(
        "SELECT a.id, a.operator, a.device_id, a.vehicle, a.route_id, r.name FROM assignments a"
        " JOIN routes r ON r.id = a.route_id WHERE a.date = ? ORDER BY a.device_id, a.id",
        (day,),
    ):
        p = progress.get(row["route_id"], {})
        vehicles.setdefault(
            row["device_id"],
            {
                "device_id": row["device_id"],
                "vehicle": row["vehicle"],
                "username": row["operator"],
                "assignment_id": row["id"],
                "route_id": row["route_id"],
                "route_name": row["name"],
                "length_m": p.get("length_m", 0.0),
                "swept_m": p.get("swept_m", 0.0),
                "pct": p.get("pct", 0.0),
                "last_fix": None,
                "last_sync": None,
                "waiting": None,
                "alert": None,
            },
        )
    if not vehicles:
        return []
    marks = ",".join("?" * len(vehicles))
    for row in conn.execute(
        f"SELECT device_id, MAX(received_at) AS last FROM facts WHERE device_id IN ({marks})"
        " GROUP BY device_id",
        list(vehicles),
    ):
        vehicles[row["device_id"]]["last_sync"] = row["last"]
    for row in conn.execute(
        "SELECT device_id, payload_json, received_at FROM facts WHERE rowid IN"
        " (SELECT MAX(rowid) FROM facts WHERE stream = 'gps' AND status = 'applied'"
        f" AND device_id IN ({marks}) GROUP BY device_id)",
        list(vehicles),
    ):
        fix = _last_fix(stored_payload(row["payload_json"]))
        if fix is not None:
            vehicles[row["device_id"]]["last_fix"] = {**fix, "received_at": row["received_at"]}
    for row in conn.execute(
        "SELECT device_id, events, gps, reported_at FROM device_waiting"
        f" WHERE device_id IN ({marks})",
        list(vehicles),
    ):
        vehicles[row["device_id"]]["waiting"] = {
            "events": row["events"],
            "gps": row["gps"],
            "reported_at": row["reported_at"],
        }
    for row in conn.execute(
        "SELECT device_id, payload_json, received_at FROM facts WHERE type = ?"
        f" AND status = 'applied' AND received_at >= ? AND device_id IN ({marks})"
        " ORDER BY rowid",
        [STORAGE_RECOVERED, day, *vehicles],
    ):
        vehicles[row["device_id"]]["alert"] = storage_alert(
            stored_object(row["payload_json"]), row["received_at"]
        )
    return list(vehicles.values())


def storage_alert(payload: Any, received_at: str) -> str:
    """The supervisor's words for a `storage_recovered` fact: the tablet's database was
    damaged, kept aside on the tablet, and how much of its unsent work came through."""
    fact = payload if isinstance(payload, dict) else {}
    name = fact.get("set_aside")
    text = (
        f"Tablet database damaged; set aside on the tablet as {name} (reported "
        f"{received_at[:16].replace('T', ' ')} UTC). Recovered {fact.get('recovered_events')}"
        f" unsent records and {fact.get('recovered_fixes')} GPS positions"
    )
    if fact.get("unreadable") or fact.get("incomplete"):
        text += f"; {fact.get('unreadable') or 'some'} could not be read"
    return text + "."
