"""The supervisor's live fleet picture: `GET /api/v1/stream` first, `/fleet` polling when
the stream is down (SYNC.md, "Live updates for supervisors").

`FleetFeed.run()` keeps one Server-Sent Events stream open. The stream's `snapshot`
gives every vehicle assigned today; `position`, `sync`, `progress`, `exception` and
`feedback` events update it as tablets push. When the stream drops (or cannot be
opened) the feed polls `/api/v1/fleet` every `poll_interval_s` and reconnects with a
growing pause (1 s doubling to 30 s, back to 1 s after a stream that worked).

A vehicle is *live* when the stream is up and the server heard from it (a fix or any
fact) within `stale_after_s`; otherwise it is *delayed*. Ages are measured on the
server's clock (the offset comes with every snapshot and poll), so a supervisor PC with
a wrong clock still judges freshness correctly.

Listeners get a `FeedChange` for each thing that changed; the UI decides what to redraw.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final

import httpx

from client.errors import LoginRequired, UserFacingError
from staff.api import SupervisorApi
from staff.sse import SseEvent, open_stream

log = logging.getLogger("sweepline.fleet")

STALE_AFTER_S: Final = 60.0
POLL_INTERVAL_S: Final = 5.0
FIRST_BACKOFF_S: Final = 1.0
MAX_BACKOFF_S: Final = 30.0
HEARTBEAT_S: Final = 5.0
# Progress events change the route percentages the server computes; fetch the fleet
# again at most this often rather than once per swept segment.
REFRESH_DEBOUNCE_S: Final = 2.0
RECENT_LIMIT: Final = 200


def parse_time(text: object) -> float | None:
    """Epoch seconds of an ISO 8601 time (`Z` or offset), None if it is not one."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class VehicleFix:
    lat: float
    lon: float
    t_ms: float
    speed_mps: float | None
    heading_deg: float | None
    acc_m: float | None
    received_at: float | None  # server time (epoch s) the batch holding it arrived


@dataclass(frozen=True, slots=True)
class VehicleWaiting:
    """Facts waiting on the tablet per stream, as its last push reported them."""

    events: int
    gps: int
    reported_at: float | None  # server time (epoch s) of that push

    @property
    def total(self) -> int:
        return self.events + self.gps


@dataclass(frozen=True, slots=True)
class VehicleState:
    device_id: str
    vehicle: str
    username: str
    assignment_id: str
    route_id: str
    route_name: str
    length_m: float
    swept_m: float
    pct: float
    last_fix: VehicleFix | None
    last_sync: float | None  # server time (epoch s) the server last heard from the device
    waiting: VehicleWaiting | None = None  # None: the tablet has not reported it
    # Plain words when the tablet's database was damaged and set aside today (None: not).
    alert: str | None = None

    @property
    def last_heard(self) -> float | None:
        times = [t for t in (self.last_sync, self.last_fix and self.last_fix.received_at) if t]
        return max(times) if times else None


@dataclass(frozen=True, slots=True)
class FeedChange:
    """What changed: `kind` is `fleet` (the whole picture), `vehicle`, `progress`,
    `exception`, `feedback` or `connection`; `data` is the event's own fields."""

    kind: str
    device_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def _float(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _fix(data: object) -> VehicleFix | None:
    if not isinstance(data, dict):
        return None
    lat, lon, t_ms = _float(data.get("lat")), _float(data.get("lon")), _float(data.get("t_ms"))
    if lat is None or lon is None or t_ms is None:
        return None
    return VehicleFix(
        lat=lat,
        lon=lon,
        t_ms=t_ms,
        speed_mps=_float(data.get("speed_mps")),
        heading_deg=_float(data.get("heading_deg")),
        acc_m=_float(data.get("acc_m")),
        received_at=parse_time(data.get("received_at")),
    )


def _count(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def waiting_from(data: object) -> VehicleWaiting | None:
    """The `waiting` object of `/fleet` rows and `sync`/`position` events."""
    if not isinstance(data, dict):
        return None
    events, gps = _count(data.get("events")), _count(data.get("gps"))
    if events is None or gps is None:
        return None
    return VehicleWaiting(events, gps, parse_time(data.get("reported_at")))


def vehicle_from(data: dict[str, Any]) -> VehicleState:
    """A vehicle as `/fleet` and the stream's snapshot describe it."""
    return VehicleState(
        device_id=str(data.get("device_id") or ""),
        vehicle=str(data.get("vehicle") or ""),
        username=str(data.get("username") or ""),
        assignment_id=str(data.get("assignment_id") or ""),
        route_id=str(data.get("route_id") or ""),
        route_name=str(data.get("route_name") or ""),
        length_m=_float(data.get("length_m")) or 0.0,
        swept_m=_float(data.get("swept_m")) or 0.0,
        pct=_float(data.get("pct")) or 0.0,
        last_fix=_fix(data.get("last_fix")),
        last_sync=parse_time(data.get("last_sync")),
        waiting=waiting_from(data.get("waiting")),
        alert=str(data["alert"]) if data.get("alert") else None,
    )


class FleetFeed:
    """Per-vehicle state from the stream, or from polling while the stream is down."""

    def __init__(
        self,
        api: SupervisorApi,
        *,
        stale_after_s: float = STALE_AFTER_S,
        poll_interval_s: float = POLL_INTERVAL_S,
        first_backoff_s: float = FIRST_BACKOFF_S,
        max_backoff_s: float = MAX_BACKOFF_S,
        heartbeat_s: float = HEARTBEAT_S,
        clock: Callable[[], float] = time.time,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.api = api
        self.stale_after_s = stale_after_s
        self.poll_interval_s = poll_interval_s
        self.first_backoff_s = first_backoff_s
        self.max_backoff_s = max_backoff_s
        self.heartbeat_s = heartbeat_s
        self._clock = clock
        self._transport = transport
        self.vehicles: dict[str, VehicleState] = {}
        self.stream_up = False
        self.last_error: str | None = None
        self.date: str | None = None
        # Server clock minus ours, in seconds, from the last snapshot or poll.
        self.clock_offset_s = 0.0
        # Our clock's time of the latest `position` event per device (for latency checks).
        self.position_seen_at: dict[str, float] = {}
        self.recent_feedback: list[dict[str, Any]] = []
        self.recent_exceptions: list[dict[str, Any]] = []
        self.streams_opened = 0
        self.polls = 0
        self._listeners: list[Callable[[FeedChange], None]] = []
        self._stopped = False
        self._wake = asyncio.Event()
        self._refresh_task: asyncio.Task[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._stream_client: httpx.AsyncClient | None = None

    # -- listeners ------------------------------------------------------------------------

    def subscribe(self, callback: Callable[[FeedChange], None]) -> Callable[[], None]:
        self._listeners.append(callback)

        def unsubscribe() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return unsubscribe

    def _notify(self, change: FeedChange) -> None:
        for callback in list(self._listeners):
            callback(change)

    # -- freshness ------------------------------------------------------------------------

    def server_now(self) -> float:
        return self._clock() + self.clock_offset_s

    def age_s(self, when: float | None) -> float | None:
        """Seconds since `when` (server time), None when never."""
        return None if when is None else max(0.0, self.server_now() - when)

    def is_live(self, device_id: str) -> bool:
        """Live: the stream is up and the server heard from this vehicle recently."""
        vehicle = self.vehicles.get(device_id)
        if vehicle is None or not self.stream_up:
            return False
        age = self.age_s(vehicle.last_heard)
        return age is not None and age <= self.stale_after_s

    def delayed(self) -> list[str]:
        return [d for d in self.vehicles if not self.is_live(d)]

    # -- the loop -------------------------------------------------------------------------

    async def run(self) -> None:
        """Stream, or poll and reconnect with backoff, until `stop()`."""
        delay = self.first_backoff_s
        try:
            while not self._stopped:
                opened_before = self.streams_opened
                try:
                    await self._consume_stream()
                    self.last_error = "the live stream ended"
                except LoginRequired as exc:
                    self.last_error = str(exc)
                except httpx.HTTPStatusError as exc:
                    self.last_error = f"the live stream was refused ({exc.response.status_code})"
                    if exc.response.status_code == 401:
                        with contextlib.suppress(UserFacingError):
                            await self.api.refresh_session()
                except (httpx.HTTPError, UserFacingError, ValueError) as exc:
                    self.last_error = f"the live stream dropped: {exc}"
                self._set_stream(False)
                if self._stopped:
                    break
                if self.streams_opened != opened_before:
                    delay = self.first_backoff_s
                log.info("fleet: %s; polling, reconnecting in %.0f s", self.last_error, delay)
                await self._poll_for(delay)
                delay = min(delay * 2, self.max_backoff_s)
        finally:
            self._set_stream(False)
            await self._close_stream_client()

    def start(self) -> asyncio.Task[None]:
        """Run the feed in the background (keep the task; `aclose()` ends it)."""
        if self._task is None or self._task.done():
            self._stopped = False
            self._task = asyncio.ensure_future(self.run())
        return self._task

    async def aclose(self) -> None:
        """Stop the feed and close its connections (not the `SupervisorApi`)."""
        self._stopped = True
        self._wake.set()
        for task in (self._task, self._refresh_task):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._task = self._refresh_task = None
        await self._close_stream_client()

    def reconnect_now(self) -> None:
        """Stop waiting for the backoff: try the stream again at once."""
        self._wake.set()

    async def refresh(self) -> None:
        """Fetch `/fleet` now and replace the picture with it."""
        data = await self.api.fleet()
        self.polls += 1
        self._apply_fleet(data)

    async def _poll_for(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._stopped:
            try:
                await self.refresh()
            except UserFacingError as exc:
                self.last_error = f"the fleet could not be fetched: {exc}"
                self._notify(FeedChange("connection"))
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), min(left, self.poll_interval_s))
            if self._wake.is_set():
                return

    async def _close_stream_client(self) -> None:
        client, self._stream_client = self._stream_client, None
        if client is not None:
            await client.aclose()

    async def _consume_stream(self) -> None:
        await self._close_stream_client()
        # Read timeout: three missed heartbeats means the connection is dead.
        client = httpx.AsyncClient(
            base_url=self.api.base_url,
            transport=self._transport,
            verify=self.api.tls.context(),
            timeout=httpx.Timeout(self.heartbeat_s * 3, connect=5.0),
            headers={"User-Agent": "Sweepline-supervisor"},
        )
        self._stream_client = client
        if not self.api.token:
            raise LoginRequired("not logged in")
        try:
            async for event in open_stream(
                client, self.api.token, params={"heartbeat": self.heartbeat_s}
            ):
                if self._stopped:
                    return
                self._on_event(event)
        finally:
            await self._close_stream_client()

    # -- applying what arrives ------------------------------------------------------------

    def _set_stream(self, up: bool) -> None:
        if self.stream_up == up:
            return
        self.stream_up = up
        if up:
            self.last_error = None
        self._notify(FeedChange("connection"))

    def _apply_fleet(self, data: dict[str, Any]) -> None:
        server_time = parse_time(data.get("server_time"))
        if server_time is not None:
            self.clock_offset_s = server_time - self._clock()
        self.date = str(data.get("date") or "") or None
        vehicles = data.get("vehicles")
        if isinstance(vehicles, list):
            self.vehicles = {
                v.device_id: v
                for v in (vehicle_from(item) for item in vehicles if isinstance(item, dict))
            }
        self._notify(FeedChange("fleet"))

    def _on_event(self, event: SseEvent) -> None:
        try:
            data = event.json()
        except ValueError:
            log.warning("fleet: %s event that is not JSON ignored", event.event)
            return
        if not isinstance(data, dict):
            return
        if event.event == "snapshot":
            self.streams_opened += 1
            self._apply_fleet(data)
            self._set_stream(True)
            return
        if event.event == "lagged":
            self._schedule_refresh(0.0)
            return
        device_id = str(data.get("device_id") or "")
        vehicle = self.vehicles.get(device_id)
        if vehicle is not None and event.event in ("position", "sync"):
            vehicle = replace(vehicle, waiting=waiting_from(data.get("waiting")) or vehicle.waiting)
            self.vehicles[device_id] = vehicle
        if event.event == "position":
            self.position_seen_at[device_id] = self._clock()
            fix = _fix(data)
            if vehicle is not None and fix is not None:
                self.vehicles[device_id] = replace(
                    vehicle, last_fix=fix, last_sync=fix.received_at or vehicle.last_sync
                )
                self._notify(FeedChange("vehicle", device_id, data))
        elif event.event == "sync":
            if vehicle is not None:
                when = parse_time(data.get("received_at"))
                self.vehicles[device_id] = replace(vehicle, last_sync=when or vehicle.last_sync)
                self._notify(FeedChange("vehicle", device_id, data))
        elif event.event == "progress":
            self._notify(FeedChange("progress", device_id, data))
            self._schedule_refresh(REFRESH_DEBOUNCE_S)
        elif event.event == "exception":
            self._remember(self.recent_exceptions, data)
            self._notify(FeedChange("exception", device_id, data))
        elif event.event == "feedback":
            self._remember(self.recent_feedback, data)
            self._notify(FeedChange("feedback", device_id, data))
        elif event.event == "alert":
            if vehicle is not None:
                self.vehicles[device_id] = replace(vehicle, alert=str(data.get("alert") or ""))
            self._notify(FeedChange("vehicle", device_id, data))
        if device_id and vehicle is None and event.event in ("position", "sync"):
            # A device not in the picture (assigned or reassigned since): fetch it.
            self._schedule_refresh(0.0)

    @staticmethod
    def _remember(items: list[dict[str, Any]], data: dict[str, Any]) -> None:
        items.append(data)
        del items[:-RECENT_LIMIT]

    def _schedule_refresh(self, after_s: float) -> None:
        if self._refresh_task is not None and not self._refresh_task.done():
            return

        async def later() -> None:
            await asyncio.sleep(after_s)
            try:
                await self.refresh()
            except UserFacingError as exc:
                log.info("fleet: refresh after a live event failed: %s", exc)

        self._refresh_task = asyncio.ensure_future(later())
