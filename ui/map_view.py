"""MapView: the route map widget (a QWebEngineView on the bundled Leaflet page).

It owns an off-the-record profile with the `sweepline:` handler and the external
request blocker, and remembers what it last showed (route, statuses, vehicle, trail),
so calls made before the page is ready, or before a renderer crash and reload, are
replayed instead of lost. Data reaches the page only as JSON: each call is one
`[function, [arguments]]` string emitted by a QWebChannel object, which the page hands
to the fixed `window.sweepline` functions. No script source is built per update (a new
`runJavaScript` source per GPS fix made the renderer grow over a shift).
"""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Property, QCoreApplication, QObject, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from maps.assets import BASEMAP_MBTILES, PAGE_URL, SCHEME
from maps.mbtiles import TileStack
from maps.page import TileLayerConfig, map_page
from maps.page_script import TRAIL_MAX_POINTS
from maps.payloads import fix_payload, route_payload, statuses_payload, trail_payload
from maps.streets import demo_street_features, streets_around
from ui.map_page import MapPage
from ui.scheme import SCHEME_BYTES, AppSchemeHandler, ExternalRequestBlocker

if TYPE_CHECKING:
    # The data model loads after the window shows (start-up): annotations only here.
    from coverage.model import Fix, Route, SegmentStatus

log = logging.getLogger("sweepline.ui.map")

_READY_POLL_MS = 50
_READY_POLL_LIMIT = 100
BRIDGE_OBJECT = "sweeplineBridge"


class PageBridge(QObject):
    """The one object published to the page: `message` carries a JSON call; the page
    calls `pageReady` once its functions and the channel are set up.

    `initialCalls` is what the page should show, read when the page connects: it comes
    with the channel's handshake, so a page draws the route it starts with without
    waiting for a round trip after `pageReady`."""

    message = Signal(str)
    page_ready = Signal()
    route_drawn = Signal(int)

    def __init__(self, initial_calls: Callable[[], str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._initial_calls = initial_calls

    def _read_initial_calls(self) -> str:
        return self._initial_calls()

    initialCalls = Property(str, _read_initial_calls, constant=True)  # the page's name

    @Slot()
    def pageReady(self) -> None:  # the name the page's script calls
        self.page_ready.emit()

    @Slot(int)
    def routeDrawn(self, segments: int) -> None:  # the name the page's script calls
        self.route_drawn.emit(segments)


class _WebView(QWebEngineView):
    """The page's view, without Chromium's context menu (reload, inspect, save as)."""

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        event.accept()


class MapView(QWidget):
    """The map of the operator's route, the vehicle and its recent trail."""

    ready = Signal()
    load_failed = Signal()
    # The page drew a route (this many segments) in the frame it is painting.
    route_drawn = Signal(int)
    # A plain-words sentence about tiles that cannot be shown (bad file, bad tile).
    tile_problem = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        tiles: TileStack | None = None,
        street_features: Sequence[Any] | None = None,
        basemap: bool = True,
    ) -> None:
        """`tiles`: where raster tiles come from (default: the bundled basemap only);
        `street_features`: GeoJSON features the street context around a route is cut from
        (default: the bundled Uptown Waterloo streets); `basemap=False`: streets only.
        """
        super().__init__(parent)
        if tiles is None:
            tiles = TileStack.open(basemap=BASEMAP_MBTILES) if basemap else TileStack()
        # None: the bundled streets, read when first needed (after the route's first paint).
        self._street_features: Sequence[Any] | None = street_features
        self._streets: dict[str, Any] | None = None
        self._streets_pending: Route | None = None
        # Set when a reloaded page gets its route back: its streets follow the route.
        self._streets_after_route = False
        self._problems_shown: list[str] = []
        self._ready = False
        self._ready_polls = 0
        self._route: dict[str, Any] | None = None
        self._statuses: dict[str, str] = {}
        self._vehicle: dict[str, Any] | None = None
        self._trail: deque[list[float]] = deque(maxlen=TRAIL_MAX_POINTS)
        self._theme = "day"

        # The profile is created parentless and adopted only after the view exists:
        # children die in order, and the page (inside the view) must die before it.
        profile = QWebEngineProfile()
        page_html = map_page(tiles=TileLayerConfig() if basemap else None)
        self._handler = AppSchemeHandler(page_html, profile, tiles)
        self._handler.tile_problem.connect(self._on_handler_tile_problem)
        self._blocker = ExternalRequestBlocker(profile)
        profile.installUrlSchemeHandler(SCHEME_BYTES, self._handler)
        profile.setUrlRequestInterceptor(self._blocker)

        self._view = _WebView(self)
        self._page = MapPage(profile, self._view)
        self._bridge = PageBridge(self._initial_calls, self)
        self._bridge.page_ready.connect(self._on_page_says_ready)
        self._bridge.route_drawn.connect(self._on_route_drawn)
        # Segments of the route the page last reported drawn (None: none yet).
        self.drawn_segments: int | None = None
        self._channel = QWebChannel(self)
        self._channel.registerObject(BRIDGE_OBJECT, self._bridge)
        self._page.setWebChannel(self._channel)
        self._view.setPage(self._page)
        profile.setParent(self)
        self._profile = profile
        self.messages_sent = 0
        self._released = False
        # Counts calls (sent or not), so a page handed `_initial_calls` at its handshake
        # is brought up to date at `pageReady` only when something changed since.
        self._calls_made = 0
        self._handed_at: int | None = None
        # The page must go before its profile; when the application quits with this view
        # still alive, release them here in that order rather than in teardown order.
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.release_page)

        # The tile warning above the map, made with the first problem (most starts have none).
        self._banner: QLabel | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        self._layout.addWidget(self._view, 1)

        self._page.loadFinished.connect(self._on_page_load_finished)
        self._page.renderProcessTerminated.connect(self._on_page_render_process_terminated)
        self._handler.report_problems()
        self._page.load(QUrl(PAGE_URL))

    @property
    def is_ready(self) -> bool:
        return self._ready

    @property
    def blocked_requests(self) -> list[str]:
        """Requests the page tried to make outside `sweepline:`/`data:`/`about:`."""
        return self._blocker.blocked

    @property
    def blocked_navigations(self) -> list[str]:
        """URLs the page tried to navigate to and was refused."""
        return list(self._page.blocked_navigations)

    @property
    def console_messages(self) -> list[tuple[str, str]]:
        """(level, message) pairs the page wrote to its console."""
        return list(self._page.console_messages)

    @property
    def tile_problems(self) -> list[str]:
        """Problems with the tile sources or tiles so far, in plain words."""
        return list(self._problems_shown)

    @property
    def tile_counts(self) -> tuple[int, int]:
        """(tiles served to the page, tile requests with no tile) so far."""
        return self._handler.tiles_served, self._handler.tiles_missing

    def problem_banner_text(self) -> str | None:
        """The tile warning shown above the map, or None when none is shown."""
        return self._banner.text() if self._banner is not None else None

    def set_tiles(self, tiles: TileStack) -> None:
        """Serve tiles from `tiles` (e.g. the cache after a prefetch) and redraw them."""
        self._handler.set_tiles(tiles)
        self._call("reloadTiles")

    def show_streets(self, streets: dict[str, Any]) -> None:
        """Draw `streets` (a `maps.streets` payload) as the light street context layer."""
        self._streets = streets
        self._call("setStreets", streets)

    def page(self) -> QWebEnginePage:
        """The underlying page (for tests and diagnostics)."""
        return self._page

    def web_view(self) -> QWebEngineView:
        return self._view

    def show_route(self, route: Route, statuses: Mapping[str, SegmentStatus]) -> None:
        """Draw `route` (replacing any previous one) with each segment in its state."""
        self._route = route_payload(route)
        self._statuses = statuses_payload(statuses)
        self._call("loadRoute", self._route, self._statuses)
        self._draw_streets_around_soon(route)

    def _draw_streets_around_soon(self, route: Route) -> None:
        """Cut the street context for `route` after this event, or once the page has
        drawn the route when it is not ready yet: the route's own first paint never
        waits for it (it takes tens of milliseconds on a tablet)."""
        first = self._streets_pending is None
        self._streets_pending = route
        if first and self._ready:
            QTimer.singleShot(0, self, self._draw_pending_streets)

    def _draw_pending_streets(self) -> None:
        route, self._streets_pending = self._streets_pending, None
        if route is None or self._released:
            return
        self.show_streets(
            streets_around(
                (segment.coords for segment in route.segments),
                demo_street_features() if self._street_features is None else self._street_features,
            )
        )

    def set_statuses(self, statuses: Mapping[str, SegmentStatus]) -> None:
        """Recolour the given segments; the others keep their colour."""
        if not statuses:
            return
        changed = statuses_payload(statuses)
        self._statuses.update(changed)
        self._call("setStatuses", changed)

    def move_vehicle(self, fix: Fix) -> None:
        """Move the vehicle marker (and extend the trail); undrawable fixes are ignored."""
        payload = fix_payload(fix)
        if payload is None:
            log.debug("map: fix not drawable, ignored")
            return
        self._vehicle = payload
        self._trail.append([payload["lat"], payload["lon"]])
        self._call("moveVehicle", payload)

    def set_trail(self, fixes: Iterable[Fix]) -> None:
        """Replace the recent trail (e.g. after start-up) with these fixes."""
        self._trail = deque(trail_payload(fixes), maxlen=TRAIL_MAX_POINTS)
        self._call("setTrail", list(self._trail))

    def set_theme(self, theme: str) -> None:
        """`"day"` or `"night"` (dark, low-glare background)."""
        self._theme = "night" if theme == "night" else "day"
        self._call("setTheme", self._theme)

    def evaluate_js(self, expression: str, callback: Callable[[Any], None]) -> None:
        """Evaluate a JavaScript expression in the page and pass its result to `callback`.

        For tests and diagnostics only; application data goes through the typed methods.
        """
        self._page.runJavaScript(expression, 0, callback)

    def release_page(self) -> None:
        """Delete the web view with its page, then the profile (safe to call again).

        For shutdown: afterwards the map shows nothing and ignores calls.
        """
        if self._released:
            return
        self._released = True
        self._ready = False
        self._channel.deregisterObject(self._bridge)
        shiboken6.delete(self._view)  # the page is the view's child and goes with it
        shiboken6.delete(self._profile)

    def _call(self, function: str, *args: Any) -> None:
        self._calls_made += 1
        if not self._ready or self._released:
            return
        self._bridge.message.emit(json.dumps([function, list(args)], allow_nan=False))
        self.messages_sent += 1

    def _replay_calls(self) -> list[list[Any]]:
        """The calls that bring a freshly loaded page up to what this view last showed."""
        calls: list[list[Any]] = []
        if self._theme != "day":
            calls.append(["setTheme", [self._theme]])
        if self._route is not None:
            self._streets_after_route = True
            calls.append(["loadRoute", [self._route, self._statuses]])
        if self._streets is not None and self._route is None:
            calls.append(["setStreets", [self._streets]])
        # With a route, its street context follows once the page has drawn the route
        # (`_on_route_drawn`): the route's first frame never waits for a thousand lines.
        if self._trail:
            calls.append(["setTrail", [list(self._trail)]])
        if self._vehicle is not None:
            calls.append(["setFollow", [False]])
            calls.append(["moveVehicle", [self._vehicle]])
            calls.append(["setFollow", [True]])
        return calls

    def _replay(self) -> None:
        calls = self._replay_calls()
        if calls and not self._released:
            self._bridge.message.emit(json.dumps(calls, allow_nan=False))
            self.messages_sent += 1

    def _initial_calls(self) -> str:
        """The page's handshake reads this: what it must show, as one JSON list of calls."""
        if self._released:
            return "[]"
        self._handed_at = self._calls_made
        return json.dumps(self._replay_calls(), allow_nan=False)

    def _on_handler_tile_problem(self, problem: str) -> None:
        self._problems_shown.append(problem)
        if self._banner is None:
            from PySide6.QtCore import Qt

            self._banner = QLabel(self)
            self._banner.setObjectName("mapTileProblem")
            self._banner.setWordWrap(True)
            self._banner.setTextFormat(Qt.TextFormat.PlainText)
            self._banner.setStyleSheet("background: #fff3cd; color: #5c4400; padding: 6px;")
            self._banner.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
            self._layout.insertWidget(0, self._banner)
        self._banner.setText(
            "Map background incomplete: "
            + "; ".join(self._problems_shown[-3:])
            + ". The streets are still drawn."
        )
        self.tile_problem.emit(problem)

    def _on_page_load_finished(self, ok: bool) -> None:
        if not ok or self._page.url() != QUrl(PAGE_URL):
            log.error("map page failed to load from the %s: scheme", SCHEME)
            self.load_failed.emit()
            return
        self._ready_polls = 0
        self._poll_ready()

    def _poll_ready(self) -> None:
        if self._ready:
            return
        self._page.runJavaScript("window.sweeplineReady === true", 0, self._on_page_ready_checked)

    def _on_page_says_ready(self) -> None:
        """The page's own word (through the channel): the fastest way to first paint."""
        if not self._ready and not self._released:
            self._become_ready()

    def _on_route_drawn(self, segments: int) -> None:
        self.drawn_segments = segments
        self.route_drawn.emit(segments)
        if self._streets_pending is not None:
            self._streets_after_route = False
            QTimer.singleShot(0, self, self._draw_pending_streets)
        elif self._streets_after_route:
            self._streets_after_route = False
            if self._streets is not None:
                self._call("setStreets", self._streets)

    def _become_ready(self) -> None:
        self._ready = True
        handed_at, self._handed_at = self._handed_at, None
        if handed_at != self._calls_made:  # not handed over, or changed since
            self._replay()
        self.ready.emit()

    def _on_page_ready_checked(self, is_ready: object) -> None:
        if self._ready or self._released:
            return
        if is_ready is True:
            self._become_ready()
            return
        self._ready_polls += 1
        if self._ready_polls >= _READY_POLL_LIMIT:
            log.error("map page loaded but its script never became ready")
            self.load_failed.emit()
            return
        QTimer.singleShot(_READY_POLL_MS, self, self._poll_ready)

    def _on_page_render_process_terminated(
        self, status: QWebEnginePage.RenderProcessTerminationStatus, exit_code: int
    ) -> None:
        log.error("map renderer ended (%s, code %d); reloading the map", status, exit_code)
        self._ready = False
        self._handed_at = None
        self._page.load(QUrl(PAGE_URL))
