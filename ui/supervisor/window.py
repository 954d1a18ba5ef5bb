"""SupervisorWindow: the supervisor's desk view. Tabs on the left (fleet, progress,
feedback, metrics, equity, messages, replay, evidence and report, export), the map on
the right (`SupervisorMap`: the whole fleet, and one route in detail).

The window is the controller of its panels: it runs the `SupervisorApi` calls as asyncio
tasks on the Qt loop (qasync), relays the `FleetFeed`'s changes through a signal, and
hands each panel plain data. Progress and metrics are live: the stream's `progress` and
`exception` events make the window fetch them again (once per burst), no button needed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QSplitter, QTabWidget, QWidget

from client.errors import UserFacingError
from staff.api import SupervisorApi
from staff.fleet import FeedChange, FleetFeed
from staff.replay import Frame, Recording, load_recording
from ui.map_view import MapView
from ui.supervisor.common import action_words, plain_label
from ui.supervisor.documents_panel import DocumentsPanel
from ui.supervisor.equity_panel import EquityPanel
from ui.supervisor.export_panel import ExportPanel
from ui.supervisor.feedback_panel import FeedbackPanel
from ui.supervisor.fleet_panel import FleetPanel
from ui.supervisor.map_panel import SupervisorMap, routes_from_export
from ui.supervisor.messages_panel import MessagesPanel
from ui.supervisor.metrics_panel import MetricsPanel
from ui.supervisor.progress_panel import ProgressPanel
from ui.supervisor.replay_panel import ReplayPanel

log = logging.getLogger("sweepline.ui.supervisor")

T = TypeVar("T")
CLOCK_TICK_MS = 1000
MESSAGES_REFRESH_MS = 5000
# A burst of `progress` events (a tablet pushing a minute of sweeping) becomes one fetch
# of progress and metrics this long after the burst's first event.
LIVE_REFRESH_MS = 400


class _FeedBridge(QObject):
    """Re-emits the feed's plain callbacks as a Qt signal; `detach()` unsubscribes."""

    changed = Signal(object)

    def __init__(self, feed: FleetFeed, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe: Callable[[], None] | None = feed.subscribe(self.changed.emit)

    def detach(self) -> None:
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()


class SupervisorWindow(QMainWindow):
    closed = Signal()
    # Emitted after each finished background call (name), for tests and diagnostics.
    call_finished = Signal(str)

    def __init__(
        self,
        api: SupervisorApi,
        feed: FleetFeed,
        *,
        export_folder: Path | None = None,
        map_view: MapView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sweepline — supervisor"))
        self.api = api
        self.feed = feed
        self._tasks: set[asyncio.Future[Any]] = set()
        self._forms: list[dict[str, Any]] = []
        self._feedback_filters: dict[str, str] = {}

        self.fleet = FleetPanel()
        self.progress = ProgressPanel()
        self.progress_rows: list[dict[str, Any]] = []
        self.feedback = FeedbackPanel()
        self.metrics = MetricsPanel()
        self.equity = EquityPanel()
        self.messages = MessagesPanel()
        self.exports = ExportPanel(folder=export_folder)
        self.replay = ReplayPanel()
        self.documents = DocumentsPanel(
            api, self._spawn, lambda: Path(self.exports.folder.text().strip() or ".")
        )
        self._replay_route: str | None = None
        self.tabs = QTabWidget()
        self.tabs.setObjectName("supervisorTabs")
        for panel, title in (
            (self.fleet, self.tr("Fleet")),
            (self.progress, self.tr("Progress")),
            (self.feedback, self.tr("Feedback")),
            (self.metrics, self.tr("Metrics")),
            (self.equity, self.tr("Equity")),
            (self.messages, self.tr("Messages")),
            (self.replay, self.tr("Replay")),
            (self.documents, self.tr("Evidence and report")),
            (self.exports, self.tr("Export")),
        ):
            self.tabs.addTab(panel, title)

        self.map = SupervisorMap(feed, map_view)
        self.map_view = self.map.map_view
        self.map_title = self.map.title
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tabs)
        split.addWidget(self.map)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([780, 620])
        self.setCentralWidget(split)
        self.status = plain_label(name="supervisorStatus", wrap=False)
        self.statusBar().addWidget(self.status, 1)

        self._bridge = _FeedBridge(feed, self)
        self._bridge.changed.connect(self._on_feed_changed)
        self.fleet.vehicle_selected.connect(self._on_fleet_vehicle_selected)
        self.fleet.reassign_requested.connect(self._on_fleet_reassign_requested)
        self.progress.route_selected.connect(self._on_progress_route_selected)
        self.progress.refresh_requested.connect(self.refresh_progress)
        self.progress.evidence_requested.connect(self._on_progress_evidence_requested)
        self.feedback.filters_changed.connect(self._on_feedback_filters_changed)
        self.feedback.item_selected.connect(self._on_feedback_item_selected)
        self.metrics.refresh_button.clicked.connect(self.refresh_metrics)
        self.equity.refresh_button.clicked.connect(self.refresh_equity)
        self.messages.send_requested.connect(self._on_messages_send_requested)
        self.exports.export_requested.connect(self._on_exports_export_requested)
        self.replay.load_requested.connect(self._on_replay_load_requested)
        self.replay.frame_changed.connect(self._on_replay_frame_changed)

        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_TICK_MS)
        self._clock.timeout.connect(self._on_clock_timeout)
        self._messages_timer = QTimer(self)
        self._messages_timer.setInterval(MESSAGES_REFRESH_MS)
        self._messages_timer.timeout.connect(self.refresh_messages)
        self._live_refresh = QTimer(self)
        self._live_refresh.setSingleShot(True)
        self._live_refresh.setInterval(LIVE_REFRESH_MS)
        self._live_refresh.timeout.connect(self._on_live_refresh)
        self.map.follow_requested.connect(self._on_map_follow_requested)

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Start the feed and load every panel (call with the asyncio loop running)."""
        self.feed.start()
        self._clock.start()
        self._messages_timer.start()
        self.refresh_all()

    def refresh_all(self) -> None:
        self._spawn("routes", self._load_routes())
        self._spawn("forms", self._load_forms())
        self.refresh_progress()
        self.refresh_feedback()
        self.refresh_metrics()
        self.refresh_equity()
        self.refresh_messages()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._clock.stop()
        self._messages_timer.stop()
        self._live_refresh.stop()
        self._bridge.detach()
        for task in list(self._tasks):
            task.cancel()
        super().closeEvent(event)
        self.closed.emit()

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def _spawn(
        self, name: str, coro: Coroutine[Any, Any, T], then: Callable[[T], None] | None = None
    ) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def done(finished: asyncio.Future[T]) -> None:
            self._tasks.discard(finished)
            if finished.cancelled():
                return
            error = finished.exception()
            if isinstance(error, UserFacingError):
                self.status.setText(
                    self.tr("Could not %1: %2")
                    .replace("%1", action_words(name))
                    .replace("%2", str(error))
                )
            elif error is not None:
                log.error("supervisor: %s failed", name, exc_info=error)
                self.status.setText(
                    self.tr("Could not %1: an unexpected error").replace("%1", action_words(name))
                )
            elif then is not None:
                then(finished.result())
            self.call_finished.emit(name)

        task.add_done_callback(done)

    # -- loading --------------------------------------------------------------------------

    async def _load_routes(self) -> None:
        raw = await self.api.export("progress", "geojson")
        routes = routes_from_export(json.loads(raw))
        for info in await self.api.routes():
            self.map.route_names[str(info["id"])] = str(info.get("name") or info["id"])
        self.map.set_routes(routes)
        self.documents.set_routes(
            [
                (rid, self.map.route_names.get(rid, rid), [(s.id, s.street) for s in r.segments])
                for rid, (r, _) in sorted(routes.items())
            ]
        )
        self._update_choices()

    async def _load_forms(self) -> None:
        self._forms = await self.api.forms()
        self._update_choices()

    def refresh_progress(self) -> None:
        self._spawn("load progress", self.api.progress(), self._show_progress)
        route_id = self.progress.selected_route()
        if route_id is not None:
            self._load_history(route_id)

    def _show_progress(self, routes: list[dict[str, Any]]) -> None:
        """Routes with today's operators (from the fleet) beside the server's figures.

        Kept, so a fleet that arrives after the progress does not leave crews unnamed.
        """
        self.progress_rows = routes
        today: dict[str, set[str]] = {}
        for vehicle in self.feed.vehicles.values():
            today.setdefault(vehicle.route_id, set()).add(vehicle.username)
        self.progress.show_progress(
            [
                {
                    **r,
                    "operators": sorted(
                        set(r.get("operators") or []) | today.get(r["route_id"], set())
                    ),
                }
                for r in routes
            ]
        )

    def refresh_feedback(self) -> None:
        self._spawn(
            "load feedback",
            self.api.feedback(**self._feedback_filters),
            self.feedback.show_items,
        )

    def refresh_metrics(self) -> None:
        self._spawn("load metrics", self.api.metrics(), self.metrics.show_metrics)

    def refresh_equity(self) -> None:
        self._spawn("load equity", self.api.equity(), self.equity.show_areas)

    def refresh_messages(self) -> None:
        self._spawn("load messages", self.api.messages(), self.messages.show_messages)

    def _load_history(self, route_id: str) -> None:
        self._spawn(
            "load history",
            self.api.history(route_id),
            lambda segments: self.progress.show_history(route_id, segments),
        )

    def _update_choices(self) -> None:
        operators = sorted({v.username for v in self.feed.vehicles.values()})
        routes = [(rid, self.map.route_names.get(rid, rid)) for rid in sorted(self.map.routes)]
        questions = [
            (str(q["id"]), f"{form.get('title')}: {q.get('label')}")
            for form in self._forms
            for q in form.get("questions") or []
        ]
        self.feedback.set_choices(operators, routes, questions)
        self.replay.set_vehicles(
            [
                (v.device_id, f"{v.vehicle} ({v.username})")
                for v in sorted(self.feed.vehicles.values(), key=lambda v: v.vehicle)
            ]
        )
        self.messages.set_operators(operators)

    # -- feed -----------------------------------------------------------------------------

    def _on_feed_changed(self, change: FeedChange) -> None:
        if change.kind in ("fleet", "connection", "vehicle"):
            self.fleet.show_fleet(self.feed)
            self.map.fleet_layer.refresh()
        followed = self.map.followed
        if change.kind == "fleet":
            self._update_choices()
            if self.progress_rows:
                self._show_progress(self.progress_rows)
            if followed is not None:
                self.map.show_vehicle(followed)
        elif change.kind == "vehicle" and change.device_id and change.device_id == followed:
            self.map.show_vehicle(change.device_id)
        elif change.kind == "progress":
            self.map.mark_swept(
                str(change.data.get("route_id")), str(change.data.get("segment_id"))
            )
            self._refresh_soon()
        elif change.kind == "feedback":
            self.refresh_feedback()
        elif change.kind == "exception":
            self._refresh_soon()

    def _refresh_soon(self) -> None:
        if not self._live_refresh.isActive():
            self._live_refresh.start()

    def _on_live_refresh(self) -> None:
        """Swept segments and exceptions arrived on the stream: progress, history and
        metrics are fetched again (once per burst of events, not once per event)."""
        self.refresh_progress()
        self.refresh_metrics()

    def _on_clock_timeout(self) -> None:
        self.fleet.show_fleet(self.feed)
        self.map.fleet_layer.refresh()

    # -- panels ---------------------------------------------------------------------------

    def _on_fleet_vehicle_selected(self, device_id: str) -> None:
        self.map.show_vehicle(device_id)

    def _on_map_follow_requested(self, device_id: str) -> None:
        """A vehicle tapped on the map: follow it, and show it selected in the table."""
        self.tabs.setCurrentWidget(self.fleet)
        self.fleet.select_device(device_id)
        self.map.show_vehicle(device_id)

    def _on_fleet_reassign_requested(self, device_id: str, target: str, operator: str) -> None:
        vehicle = self.feed.vehicles.get(device_id)
        if vehicle is None:
            return

        def done(summary: dict[str, Any]) -> None:
            self.fleet.reassign_result.setText(
                self.tr(
                    "%1 now goes to %2 (%3), version %4; the tablets pick it up on their next pull."
                )
                .replace("%1", str(summary.get("route_name")))
                .replace("%2", str(summary.get("device_id")))
                .replace("%3", str(summary.get("operator")))
                .replace("%4", str(summary.get("version")))
            )
            self._spawn("refresh fleet", self.feed.refresh())

        self._spawn(
            "reassign",
            self.api.reassign(vehicle.assignment_id, target, operator=operator or None),
            done,
        )

    def _on_progress_route_selected(self, route_id: str) -> None:
        self._load_history(route_id)
        self.map.select_route(route_id)

    def _on_progress_evidence_requested(self, route_id: str, segment_id: str) -> None:
        self.documents.select(route_id, segment_id)
        self.tabs.setCurrentWidget(self.documents)
        self.documents.show_evidence()

    def _on_feedback_filters_changed(self, filters: dict[str, str]) -> None:
        self._feedback_filters = dict(filters)
        self.refresh_feedback()

    def _on_feedback_item_selected(self, item: dict[str, Any]) -> None:
        self.map.show_place(item, self.feed.server_now())

    def _on_replay_load_requested(self, device_id: str, start: float, end: float) -> None:
        def loaded(recording: Recording) -> None:
            routes = recording.route_ids()
            vehicle = self.feed.vehicles.get(device_id)
            self._replay_route = routes[0] if routes else vehicle.route_id if vehicle else None
            self.replay.set_recording(recording)

        self._spawn("load the replay", load_recording(self.api, device_id, start, end), loaded)

    def _on_replay_frame_changed(self, frame: Frame) -> None:
        self.map.show_frame(frame, self._replay_route)

    def _on_messages_send_requested(self, text: str, to: str) -> None:
        def done(message: dict[str, Any]) -> None:
            count = len(message.get("recipients") or [])
            self.messages.result.setText(
                self.tr("Sent to %1 operator(s).").replace("%1", str(count))
            )
            self.messages.text.clear()
            self.refresh_messages()

        self._spawn("send the message", self.api.send_message(text, to), done)

    def _on_exports_export_requested(self, kind: str, fmt: str, folder: str) -> None:
        target = Path(folder or ".")

        async def save() -> Path:
            data = await self.api.export(kind, fmt)
            server_day = datetime.fromtimestamp(self.feed.server_now()).astimezone().date()
            day = self.feed.date or server_day.isoformat()
            path = target / f"sweepline-{kind}-{day}.{fmt}"
            try:
                await asyncio.to_thread(_write, path, data)
            except OSError as exc:
                raise UserFacingError(f"cannot write {path}: {exc.strerror or exc}") from exc
            return path

        self._spawn(
            "export",
            save(),
            lambda path: self.exports.result.setText(self.tr("Saved %1").replace("%1", str(path))),
        )


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
