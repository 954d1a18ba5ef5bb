"""Sweepline's composition root: parse arguments, build the objects, run the Qt+asyncio loop.

`python main.py --demo` starts the reference server in-process on 127.0.0.1 with the
real Uptown Waterloo demo data, logs the demo operator in, and drives the assigned
route with the simulator. `--screenshot FILE --quit-after SECONDS` runs the same thing
headless for that long, saves the window as a PNG and exits 0.

For IT: `--self-test` checks the tablet headless (one line per check, non-zero exit on
failure), `--export-diagnostics ZIP` writes the diagnostics bundle; the managed config
(`docs/config.md`) is read before anything else, and kiosk mode runs the window under a
supervisor that restarts it after a crash.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable

    from client.config import Config
    from client.store import Store
    from ui.map_snapshot import MapSnapshotKeeper
    from ui.operator_window import OperatorWindow

DEMO_USER = "demo"
DEMO_PASSWORD = "sweep-demo"
DEMO_DEVICE = "demo-tablet-1"
# The tablet database's note of who logged in last: their window opens at start, on the
# cached route, with the token the OS keyring kept (none in the database).
LAST_OPERATOR_KEY = "operator"
# Loaded on a worker thread while the map page loads, in the order start-up needs them:
# what colours the cached route, the panels around the map, the core and its loop.
_FIRST_ROUTE_MODULES = ("client.assignments", "client.coverage_store", "ui.segment_views")
_PANEL_MODULES = (
    "ui.core_bridge",
    "ui.exceptions_bar",
    "ui.messages_strip",
    "ui.progress_panel",
    "ui.status_panel",
    "ui.shift",
)
_CORE_MODULES = (
    "asyncio",
    "qasync",
    "client.outbox",
    "client.forms",
    "sync.engine",
    "app.tablet",
)
# Background work (keyring, sync) waits at most this long for the map's first paint.
FIRST_PAINT_WAIT_S = 3.0

log = logging.getLogger("sweepline")
STARTED = time.perf_counter()


def parse_args(argv: list[str]) -> argparse.Namespace:
    from client.version import VERSION

    p = argparse.ArgumentParser(prog="sweepline", description=__doc__.split("\n\n")[0])
    p.add_argument("--version", action="version", version=f"sweepline {VERSION}")
    p.add_argument("--demo", action="store_true", help="run the self-contained demo")
    p.add_argument(
        "--demo-supervisor",
        action="store_true",
        help="the demo in supervisor mode: two simulated tablets drive, the supervisor watches",
    )
    p.add_argument("--server", help="backend URL (not with --demo)")
    p.add_argument("--user", help="operator login name to fill in (not with --demo)")
    p.add_argument("--device-id", default=os.environ.get("SWEEPLINE_DEVICE_ID", ""))
    p.add_argument("--data-dir", type=Path, help="folder for the tablet database")
    p.add_argument("--speed", type=float, default=12.0, help="demo: simulated time speed-up")
    p.add_argument("--seed", type=int, default=1, help="demo: simulator random seed")
    p.add_argument("--screenshot", type=Path, help="save the window to this PNG, then exit")
    p.add_argument("--quit-after", type=float, help="exit after this many seconds")
    p.add_argument("--self-test", action="store_true", help="check this tablet headless, then exit")
    p.add_argument(
        "--startup-check",
        action="store_true",
        help="start as usual, exit once the route is on the map and say how long it took",
    )
    p.add_argument(
        "--export-diagnostics",
        type=Path,
        metavar="ZIP",
        help="write the diagnostics bundle (logs, config, database counts), then exit",
    )
    p.add_argument("--kiosk", action="store_true", help="full screen, no way out but the exit key")
    p.add_argument(
        "--theme",
        choices=("auto", "day", "night"),
        default="auto",
        help="screen theme at start (auto: by time of day); the operator can toggle it",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config key (see docs/config.md); repeatable",
    )
    args = p.parse_args(argv)
    if (args.demo or args.demo_supervisor) and (args.server or args.user):
        p.error("--demo runs its own server; leave out --server and --user")
    if args.demo and args.demo_supervisor:
        p.error("choose --demo or --demo-supervisor")
    if args.screenshot and args.quit_after is None:
        p.error("--screenshot needs --quit-after SECONDS")
    return args


def load_config(args: argparse.Namespace) -> Config:
    """System file, user file, then these command-line options (docs/config.md)."""
    from client.config import load_config as load
    from client.config import parse_assignment

    overrides: dict[str, str] = {}
    for text in args.set:
        try:
            name, value = parse_assignment(text)
        except ValueError as exc:
            raise SystemExit(f"sweepline: --set: {exc}") from exc
        overrides[name] = value
    cli: tuple[tuple[str, str | None], ...] = (
        ("server_url", args.server),
        ("device_id", args.device_id),
        ("data_dir", str(args.data_dir.resolve()) if args.data_dir else None),
        ("kiosk", "true" if args.kiosk else None),
    )
    for key, given in cli:
        if given:
            overrides[key] = given
    return load(command_line=overrides)


def main(argv: list[str] | None = None) -> int:
    from client.config import user_log_dir
    from client.logs import EarlyRecords, register_secret, setup_logging
    from client.version import VERSION

    arguments = sys.argv[1:] if argv is None else argv
    args = parse_args(arguments)
    config = load_config(args)
    early = EarlyRecords(config.log_level)
    log.info("sweepline %s", VERSION)
    for problem in config.problems:
        log.warning("config: %s", problem)

    def start_logging() -> None:
        """The log file, with what was logged before it (start-up opens it once the
        route is on screen when an operator is logged in)."""
        setup_logging(user_log_dir(), config.log_level, early=early)

    if args.export_diagnostics or args.self_test or args.demo or args.demo_supervisor:
        start_logging()
    if args.export_diagnostics is not None:
        from client.diagnostics import export_diagnostics

        path = export_diagnostics(args.export_diagnostics, config, log_dir=user_log_dir())
        print(f"diagnostics written to {path}")
        return 0
    if args.self_test:
        return _self_test(args, config)
    if config.kiosk and not args.screenshot and not _is_supervised():
        from client.supervisor import supervise

        start_logging()
        # Restart on crash: this process only watches a child running the application.
        own = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, __file__]
        return supervise([*own, *arguments])
    if not (args.demo or args.demo_supervisor) and not (config.server_url and config.device_id):
        start_logging()
        print(
            "sweepline: no server_url or device_id: set them in the managed config "
            "(docs/config.md) or give --server and --device-id",
            file=sys.stderr,
        )
        return 2
    # Outside the demo the operator logs in on the login screen (ui.login).
    password = DEMO_PASSWORD if args.demo else ""
    if password:
        register_secret(password)

    from PySide6.QtWidgets import QApplication

    import ui.map_view  # noqa: F401  (QtWebEngineWidgets must load before the QApplication)
    from ui.scheme import register_url_scheme
    from ui.webengine_flags import apply_webengine_flags

    register_url_scheme()  # must precede the QApplication
    apply_webengine_flags()  # read once, when QtWebEngine starts
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Sweepline")
    app.setOrganizationName("Sweepline")
    # The coroutine below decides when to stop, after flushing and closing cleanly;
    # Qt quitting on its own would stop the loop under it.
    app.setQuitOnLastWindowClosed(False)
    from ui.i18n import choose_locale, install_language

    log.info("language: %s", install_language(choose_locale(config.locale)))

    store: Store | None = None
    frame: OperatorWindow | None = None
    report = _StartupReport() if args.startup_check else None
    if not args.demo_supervisor:
        data_dir = _data_dir(args, config)
        from client.store import Store

        store = Store(
            data_dir / "tablet.sqlite", device_id=DEMO_DEVICE if args.demo else config.device_id
        )
        if not args.demo and store.get_kv(LAST_OPERATOR_KEY):
            # An operator is logged in on this tablet: show their window now, its map
            # loading, and build the rest while Chromium starts (docs/startup.md).
            frame = _show_operator_frame(args, store, report, start_logging)
    if not early.handed_over:
        start_logging()

    import asyncio

    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        status: int = loop.run_until_complete(
            _run(app, args, config, password, store, frame, report)
        )
        return status


def _is_supervised() -> bool:
    from client.supervisor import is_supervised  # kiosk only: not on every start

    return is_supervised()


def _data_dir(args: argparse.Namespace, config: Config) -> Path:
    if args.demo:
        import tempfile

        data_dir: Path = args.data_dir or Path(tempfile.mkdtemp(prefix="sweepline-demo-"))
    else:
        data_dir = config.data_path
    data_dir.mkdir(parents=True, exist_ok=True)
    return data_dir


def _show_operator_frame(
    args: argparse.Namespace,
    store: Store,
    report: _StartupReport | None,
    start_logging: Callable[[], None],
) -> OperatorWindow:
    """The operator window before the core exists, showing the cached route.

    The window shows with its map alone, so Chromium starts loading the page at once,
    with what the map showed when the application last ran (client.map_snapshot). Without
    one, the cached route is coloured from the recorded coverage as soon as the modules
    that do it have loaded on a worker thread. The panels and the core are made once the
    page has drawn the route (docs/startup.md)."""
    from client.map_snapshot import load_map_snapshot
    from client.version import VERSION
    from ui.background_imports import BackgroundImports
    from ui.operator_window import OperatorWindow

    window = OperatorWindow(demo=args.demo, theme_mode=args.theme, panels_later=True)
    window.setWindowTitle(f"{window.windowTitle()} {VERSION}")
    window.resize(1280, 800)
    segments: int | None = None
    snapshot = load_map_snapshot(store)
    if snapshot is not None:
        try:
            segments = window.map_view.show_snapshot(snapshot)
        except ValueError as exc:
            log.warning("map snapshot not shown: %s", exc)
    window.show()
    if segments is None:
        BackgroundImports(_FIRST_ROUTE_MODULES).wait()
        segments = _draw_cached_route(window, store)
    if segments is not None:
        if report is not None:
            report.watch(window.map_view, segments)
        _until_first_paint(window, FIRST_PAINT_WAIT_S)
    start_logging()
    imports = BackgroundImports(_PANEL_MODULES, _CORE_MODULES)
    imports.wait(0)
    window.build_panels()
    imports.wait()
    return window


def _draw_cached_route(window: OperatorWindow, store: Store) -> int | None:
    """The cached assignment's route on the map, coloured as recorded, before the core
    exists (the core draws the same again when it attaches: only changes are sent).
    Its number of segments, or None when no assignment is cached."""
    from client.assignments import AssignmentCache
    from client.coverage_store import load_coverage
    from ui.segment_views import page_labels, route_views

    assignment = AssignmentCache(store).current()
    if assignment is None:
        return None
    coverage = load_coverage(store, assignment)
    window.map_view.set_labels(page_labels())
    window.map_view.show_route_views(
        assignment.route, route_views(assignment.route, coverage.explain)
    )
    return len(assignment.route.segments)


def _until_first_paint(window: OperatorWindow, timeout_s: float) -> None:
    """Qt's event loop until the page reports a route drawn, fails, or `timeout_s`."""
    from PySide6.QtCore import QEventLoop, QTimer

    view = window.map_view
    if view.drawn_segments is not None:
        return
    loop = QEventLoop()
    view.route_drawn.connect(loop.quit)
    view.load_failed.connect(loop.quit)
    QTimer.singleShot(int(timeout_s * 1000), loop, loop.quit)
    loop.exec()
    view.route_drawn.disconnect(loop.quit)
    view.load_failed.disconnect(loop.quit)


class _StartupReport:
    """`--startup-check`: one line, once, when the page reports the whole route drawn."""

    def __init__(self) -> None:
        self.printed = False

    def watch(self, view: Any, segments: int) -> None:
        def on_drawn(drawn: int) -> None:
            if drawn == segments:
                self.say(drawn)

        view.route_drawn.connect(on_drawn)

    def say_complete(self) -> None:
        print(
            "start-up check: window complete (its panels, enabled on the core) "
            f"{(time.perf_counter() - STARTED) * 1000:.0f} ms after launch",
            flush=True,
        )

    def say(self, segments: int) -> None:
        if self.printed:
            return
        self.printed = True
        print(
            f"start-up check: route of {segments} segments on the map "
            f"{(time.perf_counter() - STARTED) * 1000:.0f} ms after launch",
            flush=True,
        )


async def _resume_session(tablet: Any, api: Any, vault: Any, operator: str, token: str) -> bool:
    """Take up the session kept in the keyring. Offline the cached route is all there is
    and the sync loop fetches the rest when the network is back; a refused access token
    is renewed with the kept refresh token. False (and the kept tokens forgotten) when
    there is no cached assignment and the server will not renew the session."""
    from client.errors import LoginRequired
    from client.logs import register_secret

    refresh = vault.load_refresh(operator)
    register_secret(token)
    register_secret(refresh)
    api.token, api.refresh_token = token, refresh
    api.session_changed = _keep_session(vault, operator)
    log.info("resumed the session of %s", operator)
    if tablet.assignment is not None:
        return True
    try:
        await tablet.engine.pull()
    except LoginRequired:
        if not await api.refresh_session():
            log.warning("the kept session of %s was refused: log in again", operator)
            vault.forget(operator)
            api.token = api.refresh_token = None
            return False
        await tablet.engine.pull()
    return True


def _keep_session(vault: Any, operator: str) -> Any:
    """The API client's `session_changed`: every renewed pair of tokens to the keyring
    (the refresh token rotates: the old one is spent)."""
    from client.logs import register_secret

    def keep(access: str, refresh: str | None) -> None:
        register_secret(access)
        register_secret(refresh)
        vault.save(operator, access, refresh)

    return keep


class _LogInAgain:
    """The operator window's "Log in again": the login screen over the window, and the
    sync loop resumed with the new session (the queue was kept all along)."""

    def __init__(
        self, window: Any, tablet: Any, api: Any, vault: Any, store: Any, device_id: str
    ) -> None:
        self._window, self._tablet, self._api = window, tablet, api
        self._vault, self._store, self._device_id = vault, store, device_id
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        import asyncio

        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._log_in())

    async def _log_in(self) -> None:
        from PySide6.QtCore import Qt

        from ui.login import LoginScreen, log_in

        screen = LoginScreen(
            self._device_id, self._store.get_kv(LAST_OPERATOR_KEY) or "", cancellable=True
        )
        screen.setWindowModality(Qt.WindowModality.ApplicationModal)
        screen.resize(self._window.size())
        screen.show()
        try:
            session = await log_in(screen, self._api, self._vault, self._device_id)
        finally:
            screen.close()
            screen.deleteLater()
        if session is None:
            return
        self._store.set_kv(LAST_OPERATOR_KEY, session.username)
        self._api.session_changed = _keep_session(self._vault, session.username)
        self._tablet.engine.login_completed()
        self._window.logged_in_again()


def _keep_map_snapshot(window: OperatorWindow, tablet: Any, store: Store) -> MapSnapshotKeeper:
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


async def _first_paint(window: OperatorWindow, timeout_s: float) -> None:
    """Until the page reports the route drawn (or fails to load), or `timeout_s`."""
    import asyncio

    view = window.map_view
    if view.drawn_segments is not None:
        return
    done = asyncio.get_running_loop().create_future()

    def settle(*_: object) -> None:
        if not done.done():
            done.set_result(None)

    view.route_drawn.connect(settle)
    view.load_failed.connect(settle)
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done, timeout=timeout_s)
    finally:
        view.route_drawn.disconnect(settle)
        view.load_failed.disconnect(settle)


def _self_test(args: argparse.Namespace, config: Config) -> int:
    """Headless checks, one line each; 0 when every check passed."""
    # The self-test never needs a screen or a GPU; as root Chromium needs its sandbox off.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    from PySide6.QtWidgets import QApplication

    import ui.map_view  # noqa: F401  (QtWebEngineWidgets must load before the QApplication)
    from ui.scheme import register_url_scheme
    from ui.webengine_flags import apply_webengine_flags

    register_url_scheme()
    apply_webengine_flags()
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Sweepline")
    app.setQuitOnLastWindowClosed(False)

    import asyncio

    import qasync

    from client.selftest import CheckResult, run_self_test
    from ui.selftest_page import check_map

    embedded = None
    if args.demo:
        import tempfile

        from server.embedded import EmbeddedServer

        scratch = Path(tempfile.mkdtemp(prefix="sweepline-self-test-server-"))
        embedded = EmbeddedServer(scratch / "server.sqlite", seed_demo=True)
        config = config.with_values(server_url=embedded.start())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            results: list[CheckResult] = loop.run_until_complete(
                run_self_test(config, extra_checks=[check_map], out=sys.stdout)
            )
    finally:
        if embedded is not None:
            embedded.stop()
    return 1 if any(result.failed for result in results) else 0


async def _run(
    app: object,
    args: argparse.Namespace,
    config: Config,
    password: str,
    store: Store | None,
    frame: OperatorWindow | None,
    report: _StartupReport | None,
) -> int:
    import asyncio

    if args.demo_supervisor or store is None:
        return await _run_supervisor_demo(args)
    from app.tablet import Tablet
    from client.api import ApiClient
    from client.errors import UserFacingError
    from client.version import VERSION
    from ui.operator_window import OperatorWindow

    data_dir = store.path.parent
    embedded = None
    if args.demo:
        from server.embedded import EmbeddedServer

        embedded = EmbeddedServer(data_dir / "server.sqlite", seed_demo=True)
        base_url = embedded.start()
        _seed_demo_forms(embedded.db_path)
        log.info("demo server on %s, data in %s", base_url, data_dir)
        username = DEMO_USER
    else:
        base_url, username = config.server_url, args.user
    device_id = store.device_id  # main() opened the database for this device

    startup_check: asyncio.Future[int] | None = None
    transport = None
    if args.demo:
        from client.transport import SwitchableTransport

        transport = SwitchableTransport()  # the demo's "cut connection" button
    api = ApiClient(base_url, transport=transport)
    tablet = Tablet(store, api, transport=transport, gps_source_name="simulator")
    if frame is not None:
        # The operator logged in before: their cached route goes on screen first, and
        # the keyring, the network and the rest wait for that first paint.
        frame.attach(tablet)
        if report is not None:
            report.say_complete()
            startup_check = asyncio.ensure_future(_report_route_on_map(frame, tablet, report))
        await _first_paint(frame, timeout_s=FIRST_PAINT_WAIT_S)
    from client.credentials import TokenVault

    # Finding the keyring backend loads D-Bus and crypto modules: not on the UI thread.
    vault = await asyncio.to_thread(TokenVault)
    tasks: list[asyncio.Task[None]] = []
    kiosk = None
    keeper = None
    try:
        if not vault.persistent and config.keyring_policy == "require" and not args.demo:
            print(
                "sweepline: no OS keyring, and keyring_policy = require: not logging in",
                file=sys.stderr,
            )
            return 1
        resumed = store.get_kv(LAST_OPERATOR_KEY) if frame is not None else None
        token = vault.load(resumed) if resumed else None
        kept_session = False
        try:
            if args.demo:
                api.session_changed = _keep_session(vault, username)
                await api.login(username, password, device_id)
            elif (
                resumed
                and token is not None
                and await _resume_session(tablet, api, vault, resumed, token)
            ):
                kept_session = True
            else:
                from ui.login import LoginScreen, log_in

                if frame is not None:
                    frame.hide()
                screen = LoginScreen(device_id, username or resumed or "")
                screen.resize(1280, 800)
                screen.show()
                try:
                    session = await log_in(screen, api, vault, device_id)
                finally:
                    screen.close()
                    screen.deleteLater()
                assert session is not None  # this screen has no Cancel
                if session.role in ("supervisor", "admin"):
                    if frame is not None:
                        frame.close()
                    return await _run_supervisor(args, api, VERSION)
                store.set_kv(LAST_OPERATOR_KEY, session.username)
                api.session_changed = _keep_session(vault, session.username)
            if not kept_session:  # a new login: today's assignment before the window
                await tablet.engine.pull()
            tablet.reload_assignment()
        except UserFacingError as exc:
            log.error("could not log in or fetch the assignment: %s", exc)
            if tablet.assignment is None:
                print(f"sweepline: {exc}", file=sys.stderr)
                return 1
        if frame is None:
            window = OperatorWindow(tablet, demo=args.demo, theme_mode=args.theme)
            window.setWindowTitle(f"{window.windowTitle()} {VERSION}")
            if report is not None:
                report.say_complete()
        else:
            window = frame
        window.diagnostics_requested.connect(
            lambda: _export_diagnostics_from_app(window, config, data_dir, api.token)
        )
        relogin = _LogInAgain(window, tablet, api, vault, store, device_id)
        window.login_requested.connect(relogin.start)
        keeper = _keep_map_snapshot(window, tablet, store)
        window.resize(1280, 800)
        window.show()
        if config.kiosk:
            from ui.kiosk import KioskGuard

            kiosk = KioskGuard(window, config.kiosk_exit_shortcut, on_exit=window.close)
        if frame is None:  # a frame waited for it already, before the keyring
            # Sync starts once the route is on screen: its first request loads httpx
            # and builds a TLS context, a third of a second of this thread the page needs.
            await _first_paint(window, timeout_s=FIRST_PAINT_WAIT_S)
        tablet.start()
        tiles_task = _start_tile_cache(window, tablet, config, data_dir)
        if tiles_task is not None:
            tasks.append(tiles_task)
        if report is not None:
            if startup_check is None:
                startup_check = asyncio.ensure_future(_report_route_on_map(window, tablet, report))
            return await startup_check
        if args.demo and tablet.assignment is not None:
            from client.simulator import RouteSimulator, replay

            tablet.start_shift()
            sim = RouteSimulator(tablet.assignment.route, start=tablet.clock.now(), seed=args.seed)
            tasks.append(
                asyncio.ensure_future(replay(sim.fixes(), tablet.record_fix, speedup=args.speed))
            )
        closed = asyncio.get_running_loop().create_future()

        def on_closed() -> None:
            if not closed.done():
                closed.set_result(None)

        window.closed.connect(on_closed)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closed, timeout=args.quit_after)
        if args.screenshot:
            window.grab().save(str(args.screenshot))
            log.info("screenshot saved to %s", args.screenshot)
        if kiosk is not None:
            kiosk.release()
        window.close()
        return 0
    finally:
        for task in tasks:
            task.cancel()
        if startup_check is not None:
            startup_check.cancel()
        if tablet.shift_active:
            tablet.end_shift()
        if tablet.network_enabled:
            await tablet.push_before_exit(timeout_s=3.0)
        if keeper is not None and keeper.pending:  # changed since it was last saved
            keeper.save_now()
        await tablet.aclose()
        store.close()
        if embedded is not None:
            embedded.stop()


async def _report_route_on_map(window: OperatorWindow, tablet: Any, report: _StartupReport) -> int:
    """`--startup-check`: wait until the page reports the whole route drawn, say how
    long start-up took (unless the cached route said it already), and end (0), or 1 when
    the map cannot load. With no assignment at all the application ends on its own (1)."""
    import asyncio

    view = window.map_view
    settled = asyncio.Event()

    def whole_route(segments: int | None) -> bool:
        # A session resumed with a signal may draw "no route" before fetching today's.
        route = tablet.assignment.route if tablet.assignment is not None else None
        return route is not None and segments == len(route.segments)

    def on_drawn(segments: int) -> None:
        if whole_route(segments):
            report.say(segments)
            settled.set()

    if whole_route(view.drawn_segments):
        report.say(view.drawn_segments or 0)
        return 0
    view.route_drawn.connect(on_drawn)
    view.load_failed.connect(settled.set)
    await settled.wait()
    if not report.printed:
        print("start-up check: the map page did not load", file=sys.stderr)
        return 1
    return 0


async def _run_supervisor(args: argparse.Namespace, api: object, version: str) -> int:
    """Supervisor mode for a staff login: the supervisor window on the same session."""
    from client.api import ApiClient
    from demo.supervisor import run_supervisor_window
    from staff.api import SupervisorApi

    assert isinstance(api, ApiClient)
    staff = SupervisorApi(api.base_url)
    staff.adopt_session(api.token or "", api.refresh_token)
    try:
        return await run_supervisor_window(
            staff, quit_after=args.quit_after, screenshot=args.screenshot, title_suffix=version
        )
    finally:
        await staff.aclose()


async def _run_supervisor_demo(args: argparse.Namespace) -> int:
    """The embedded server, two simulated tablets driving, and the supervisor window."""
    import tempfile

    from client.logs import register_secret
    from client.version import VERSION
    from demo.supervisor import SUPERVISOR, DemoTablets, add_second_operator, run_supervisor_window
    from server.embedded import EmbeddedServer
    from staff.api import SupervisorApi

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="sweepline-supervisor-demo-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    embedded = EmbeddedServer(data_dir / "server.sqlite", seed_demo=True)
    base_url = embedded.start()
    _seed_demo_forms(embedded.db_path)
    add_second_operator(embedded.db_path)
    log.info("demo server on %s, data in %s", base_url, data_dir)
    tablets = DemoTablets()
    staff = SupervisorApi(base_url)
    try:
        await tablets.start(base_url, data_dir, speed=args.speed, seed=args.seed)
        register_secret(SUPERVISOR[1])
        login = await staff.login(*SUPERVISOR)
        register_secret(login.access_token)
        return await run_supervisor_window(
            staff,
            quit_after=args.quit_after,
            screenshot=args.screenshot,
            title_suffix=f"{VERSION} (demo)",
            export_folder=data_dir / "exports",
        )
    finally:
        await tablets.aclose()
        await staff.aclose()
        embedded.stop()


def _seed_demo_forms(db_path: Path) -> None:
    """The pilot's end-of-shift survey and feedback form, as a city would define them."""
    from server.db import Database
    from server.demo_data import seed_demo_forms

    with Database(db_path).write() as conn:
        seed_demo_forms(conn)


def _start_tile_cache(
    window: Any, tablet: Any, config: Any, data_dir: Path
) -> asyncio.Task[None] | None:
    """Show cached map tiles, and refresh the assigned area's tiles in the background.

    With `tile_source = "bundled"` (the default) or `"none"` the map uses the bundled
    basemap and the street layer only, and nothing is downloaded.
    """
    if not str(config.tile_source).startswith("https://"):
        return None
    import asyncio

    from app.tiles import RouteTilePrefetcher
    from maps.assets import BASEMAP_MBTILES
    from maps.mbtiles import TileStack
    from maps.prefetch import PrefetchSettings

    cache_path = data_dir / "tiles.mbtiles"
    if cache_path.exists():
        window.map_view.set_tiles(TileStack.open(cache=cache_path, basemap=BASEMAP_MBTILES))
    if tablet.assignment is None:
        return None
    prefetcher = RouteTilePrefetcher(
        cache_path, PrefetchSettings(url_template=config.tile_source), window.show_toast
    )

    async def refresh() -> None:
        result = await prefetcher.run(tablet.assignment.route)
        if result is not None:
            window.map_view.set_tiles(TileStack.open(cache=cache_path, basemap=BASEMAP_MBTILES))

    return asyncio.ensure_future(refresh())


def _export_diagnostics_from_app(
    window: Any, config: Any, data_dir: Path, token: str | None
) -> None:
    """Write the diagnostics bundle next to the tablet's data and say where it went."""
    from client.config import user_log_dir
    from client.diagnostics import export_diagnostics

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = data_dir / "diagnostics" / f"sweepline-diagnostics-{stamp}.zip"
    try:
        path = export_diagnostics(target, config, log_dir=user_log_dir(), secrets=[token or ""])
    except OSError as exc:
        window.show_toast(f"Diagnostics could not be written: {exc}")
        return
    log.info("diagnostics written to %s", path)
    window.show_toast(f"Diagnostics saved: {path}")


if __name__ == "__main__":
    sys.exit(main())
