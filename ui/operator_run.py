"""The operator's application from login to exit: the session, the tablet service, the
window, the position feed, and a shutdown that always completes its steps.

`main.py` decides *what* runs (the installed tablet, or the demo with its own server and
simulator) and hands it here as an `OperatorRun`; everything the operator sees runs the
same code either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ui.startup import FIRST_PAINT_WAIT_S, StartupReport, first_paint, report_route_on_map

if TYPE_CHECKING:
    from app.session import Session
    from app.tablet import Tablet
    from client.config import Config
    from client.store import Store
    from client.transport import SwitchableTransport
    from ui.map_snapshot import MapSnapshotKeeper
    from ui.operator_window import OperatorWindow

log = logging.getLogger("sweepline")


@dataclass
class OperatorRun:
    """What to run: which server, how to log in, where positions come from."""

    base_url: str
    # Given: log in without the screen (the demo; provisioning with --password-stdin).
    username: str = ""
    password: str = ""
    # Feeds the tablet positions until cancelled (the configured GPS, or the simulator).
    positions: Callable[[Tablet], Awaitable[None]] | None = None
    gps_source: str = ""  # its name on the status strip (the config's when empty)
    transport: SwitchableTransport | None = None  # the demo's "cut connection" button
    demo: bool = False  # the window shows the demo's controls
    device_id: str = ""  # the demo's own; as installed, the managed config's
    theme: str = "auto"
    quit_after: float | None = None
    screenshot: Path | None = None


async def run_operator(
    run: OperatorRun,
    config: Config,
    store: Store,
    frame: OperatorWindow | None,
    report: StartupReport | None,
) -> int:
    """Log in (or resume), show the window on the tablet service, run until closed."""
    from app.session import STAFF_ROLES, Session
    from app.tablet import Tablet
    from client.api import ApiClient
    from client.errors import UserFacingError
    from client.version import VERSION
    from ui.operator_window import OperatorWindow

    data_dir = store.path.parent
    startup_check: asyncio.Future[int] | None = None
    api = ApiClient(run.base_url, transport=run.transport, tls=config.tls)
    gps_source = run.gps_source or config.gps_source
    tablet = Tablet(store, api, transport=run.transport, gps_source_name=gps_source)
    if frame is not None:
        # The operator logged in before: their cached route goes on screen first, and
        # the keyring, the network and the rest wait for that first paint.
        frame.attach(tablet)
        if report is not None:
            report.say_complete()
            startup_check = asyncio.ensure_future(report_route_on_map(frame, tablet, report))
        await first_paint(frame, timeout_s=FIRST_PAINT_WAIT_S)
    from client.credentials import TokenVault

    # Finding the keyring backend loads D-Bus and crypto modules: not on the UI thread.
    vault = await asyncio.to_thread(TokenVault)
    session = Session(api, vault, store, store.device_id)
    tasks: list[asyncio.Future[None]] = []
    kiosk = None
    keeper = None
    try:
        if not vault.persistent and config.keyring_policy == "require" and not run.demo:
            print(
                "sweepline: no OS keyring, and keyring_policy = require: not logging in",
                file=sys.stderr,
            )
            return 1
        try:
            resumed = frame is not None and await session.resume(
                tablet.assignment is not None, tablet.engine.pull
            )
            if not resumed:
                if run.password:
                    await session.log_in(run.username, run.password)
                else:
                    await _log_in_on_screen(session, frame, run.username, config, run.theme)
                if session.role in STAFF_ROLES:
                    if frame is not None:
                        frame.close()
                    from ui.supervisor.run import run_supervisor

                    return await run_supervisor(
                        session, quit_after=run.quit_after, screenshot=run.screenshot
                    )
                await tablet.engine.pull()  # a new login: today's assignment first
            tablet.reload_assignment()
        except UserFacingError as exc:
            log.error("could not log in or fetch the assignment: %s", exc)
            if tablet.assignment is None:
                print(f"sweepline: {exc}", file=sys.stderr)
                return 1
        if frame is None:
            window = OperatorWindow(tablet, demo=run.demo, theme_mode=run.theme)
            window.setWindowTitle(f"{window.windowTitle()} {VERSION}")
            if report is not None:
                report.say_complete()
        else:
            window = frame
        window.cue.configure(enabled=config.sound_cues, volume=config.sound_volume)
        window.diagnostics_requested.connect(
            lambda: export_diagnostics_from_app(window, config, data_dir, api.token)
        )
        relogin = LogInAgain(window, tablet, session)
        window.login_requested.connect(relogin.start)
        keeper = keep_map_snapshot(window, tablet, store)
        window.resize(*config.window_pixels)
        window.show()
        if config.kiosk:
            from ui.kiosk import KioskGuard

            kiosk = KioskGuard(window, config.kiosk_exit_shortcut, on_exit=window.close)
        if frame is None:  # a frame waited for it already, before the keyring
            # Sync starts once the route is on screen: its first request loads httpx
            # and builds a TLS context, a third of a second of this thread the page needs.
            await first_paint(window, timeout_s=FIRST_PAINT_WAIT_S)
        tablet.start()
        tiles_task = start_tile_cache(window, tablet, config, data_dir)
        if tiles_task is not None:
            tasks.append(tiles_task)
        if report is not None:
            if startup_check is None:
                startup_check = asyncio.ensure_future(report_route_on_map(window, tablet, report))
            return await startup_check
        if run.positions is not None:
            tasks.append(asyncio.ensure_future(run.positions(tablet)))
        await _until_closed(window, run.quit_after)
        if run.screenshot:
            window.grab().save(str(run.screenshot))
            log.info("screenshot saved to %s", run.screenshot)
        if kiosk is not None:
            kiosk.release()
        window.close()
        return 0
    finally:
        for task in tasks:
            task.cancel()
        if startup_check is not None:
            startup_check.cancel()
        await _shut_down(tablet, store, keeper)


async def _log_in_on_screen(
    session: Session, frame: OperatorWindow | None, username: str, config: Config, theme: str
) -> None:
    from ui.login import LoginScreen, log_in
    from ui.themes import ThemeMode, theme_for

    if frame is not None:
        frame.hide()
    screen = LoginScreen(
        session.device_id,
        username or session.last_operator or "",
        theme=theme_for(ThemeMode(theme)),
    )
    screen.resize(*config.window_pixels)
    screen.show()
    try:
        result = await log_in(screen, session)
    finally:
        screen.close()
        screen.deleteLater()
    assert result is not None  # this screen has no Cancel


async def _until_closed(window: OperatorWindow, timeout_s: float | None) -> None:
    closed = asyncio.get_running_loop().create_future()

    def on_closed() -> None:
        if not closed.done():
            closed.set_result(None)

    window.closed.connect(on_closed)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(closed, timeout=timeout_s)


async def _shut_down(tablet: Tablet, store: Store, keeper: MapSnapshotKeeper | None) -> None:
    """End the shift, push what is waiting, keep the map, close: each step runs even
    when an earlier one fails (a full disk, say), so the store is always closed."""
    steps: list[tuple[str, Callable[[], Awaitable[None] | None]]] = [
        ("end the shift", lambda: tablet.end_shift() if tablet.shift_active else None),
        (
            "push before exit",
            lambda: tablet.push_before_exit(timeout_s=3.0) if tablet.network_enabled else None,
        ),
        ("keep the map", lambda: keeper.save_now() if keeper and keeper.pending else None),
        ("close the tablet service", tablet.aclose),
        ("close the database", store.close),
    ]
    for what, step in steps:
        try:
            pending = step()
            if pending is not None:
                await pending
        except Exception:
            log.exception("shutdown: could not %s", what)


class LogInAgain:
    """The operator window's "Log in again": the login screen over the window, and the
    sync loop resumed with the new session (the queue was kept all along)."""

    def __init__(self, window: OperatorWindow, tablet: Tablet, session: Session) -> None:
        self._window, self._tablet, self._session = window, tablet, session
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._log_in())

    async def _log_in(self) -> None:
        from PySide6.QtCore import Qt

        from ui.login import LoginScreen, log_in

        session = self._session
        screen = LoginScreen(
            session.device_id,
            session.last_operator or "",
            cancellable=True,
            theme=self._window.theme,
        )
        screen.setWindowModality(Qt.WindowModality.ApplicationModal)
        screen.resize(self._window.size())
        screen.show()
        try:
            result = await log_in(screen, session)
        finally:
            screen.close()
            screen.deleteLater()
        if result is None:
            return
        self._tablet.engine.login_completed()
        self._window.logged_in_again()


def keep_map_snapshot(window: OperatorWindow, tablet: Tablet, store: Store) -> MapSnapshotKeeper:
    """Keep what the map shows for the next start's first paint, with the assignment
    version it was drawn from."""
    from client.map_snapshot import save_map_snapshot
    from ui.map_snapshot import MapSnapshotKeeper

    def save(shown: str) -> None:
        if tablet.assignment is not None:
            assignment = tablet.assignment
            save_map_snapshot(store, assignment.id, assignment.version, shown)

    keeper = MapSnapshotKeeper(window.map_view, save, window)
    keeper.save_soon()  # what the core has just drawn
    return keeper


def start_tile_cache(
    window: OperatorWindow, tablet: Tablet, config: Config, data_dir: Path
) -> asyncio.Task[None] | None:
    """Show cached map tiles, and refresh the assigned area's tiles in the background.

    With `tile_source = "bundled"` (the default) or `"none"` the map uses the bundled
    basemap and the street layer only, and nothing is downloaded.
    """
    if not str(config.tile_source).startswith("https://"):
        return None
    from app.tiles import RouteTilePrefetcher
    from maps.assets import BASEMAP_MBTILES
    from maps.mbtiles import TileStack
    from maps.prefetch import PrefetchSettings

    cache_path = data_dir / "tiles.mbtiles"
    if cache_path.exists():
        window.map_view.set_tiles(TileStack.open(cache=cache_path, basemap=BASEMAP_MBTILES))
    assignment = tablet.assignment
    if assignment is None:
        return None
    prefetcher = RouteTilePrefetcher(
        cache_path,
        PrefetchSettings(url_template=config.tile_source),
        window.show_toast,
        tls=config.tls,
    )

    async def refresh() -> None:
        result = await prefetcher.run(assignment.route)
        if result is not None:
            window.map_view.set_tiles(TileStack.open(cache=cache_path, basemap=BASEMAP_MBTILES))

    return asyncio.ensure_future(refresh())


def export_diagnostics_from_app(
    window: OperatorWindow, config: Config, data_dir: Path, token: str | None
) -> None:
    """Write the diagnostics bundle next to the tablet's data and say where it went."""
    from client.diagnostics import export_diagnostics
    from client.paths import user_log_dir

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = data_dir / "diagnostics" / f"sweepline-diagnostics-{stamp}.zip"
    try:
        path = export_diagnostics(target, config, log_dir=user_log_dir(), secrets=[token or ""])
    except OSError as exc:
        window.show_toast(f"Diagnostics could not be written: {exc}")
        return
    log.info("diagnostics written to %s", path)
    window.show_toast(f"Diagnostics saved: {path}")
