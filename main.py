"""Sweepline's composition root: arguments → config → what to run → the Qt+asyncio loop.

As installed, the tablet logs in to the configured server (or resumes the last operator's
session), reads positions from the configured GPS source and shows the operator window
(the supervisor window for a staff login). `--demo` runs the reference server in-process
with the Uptown Waterloo demo data and the simulator; `--demo-supervisor` the supervisor's
side of it. For IT: `--self-test`, `--export-diagnostics ZIP`; the managed config
(`docs/config.md`) is read before anything else, and kiosk mode runs the window under a
watcher that restarts it after a crash.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from client.config import Config
    from server.embedded import EmbeddedServer
    from ui.operator_run import OperatorRun

log = logging.getLogger("sweepline")
STARTED = time.perf_counter()


def main(argv: list[str] | None = None) -> int:
    from app.options import data_dir_for, load_config, parse_args, read_password_stdin
    from client.logs import EarlyRecords, setup_logging
    from client.paths import user_log_dir
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
    if config.kiosk and not args.screenshot:
        from client.crash_restart import is_restart_child, run_until_clean_exit

        if not is_restart_child():
            start_logging()
            # Restart on crash: this process only watches a child running the application.
            own = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, __file__]
            return run_until_clean_exit([*own, *arguments])
    if not (args.demo or args.demo_supervisor) and not (config.server_url and config.device_id):
        start_logging()
        print(
            "sweepline: no server_url or device_id: set them in the managed config "
            "(docs/config.md) or give --server and --device-id",
            file=sys.stderr,
        )
        return 2
    password = read_password_stdin() if args.password_stdin else ""

    from ui.application import make_application, run_on_qt
    from ui.i18n import choose_locale, install_language

    app = make_application()
    log.info("language: %s", install_language(choose_locale(config.locale)))
    data_dir = data_dir_for(args, config)
    if args.demo_supervisor:
        from demo.supervisor import run_supervisor_demo

        demo = run_supervisor_demo(
            data_dir, speed=args.speed, seed=args.seed, quit_after=args.quit_after,
            screenshot=args.screenshot,
        )  # fmt: skip
        return run_on_qt(app, demo)

    from app.session import LAST_OPERATOR_KEY
    from client.store import Store
    from ui.operator_run import run_operator
    from ui.startup import StartupReport, show_operator_frame

    embedded, run = _what_to_run(args, config, data_dir, password)
    store = Store(data_dir / "tablet.sqlite", device_id=run.device_id or config.device_id)
    report = StartupReport(STARTED) if args.startup_check else None
    frame = None
    if not args.demo and store.get_kv(LAST_OPERATOR_KEY) and not password:
        # An operator is logged in on this tablet: show their window now, its map
        # loading, and build the rest while Chromium starts (docs/startup.md).
        frame = show_operator_frame(store, args.theme, report, start_logging, config.window_pixels)
    if not early.handed_over:
        start_logging()
    try:
        return run_on_qt(app, run_operator(run, config, store, frame, report))
    finally:
        if embedded is not None:
            embedded.stop()


def _what_to_run(
    args: argparse.Namespace, config: Config, data_dir: Path, password: str
) -> tuple[EmbeddedServer | None, OperatorRun]:
    """The installed tablet, or the demo with its own server, login and simulator."""
    from ui.operator_run import OperatorRun

    look = {"theme": args.theme, "quit_after": args.quit_after, "screenshot": args.screenshot}
    if args.demo:
        from demo.operator import demo_run

        return demo_run(data_dir, speed=args.speed, seed=args.seed, **look)
    from app.positions import feed_from_config

    positions = feed_from_config(config)
    return None, OperatorRun(config.server_url, args.user or "", password, positions, **look)


def _self_test(args: argparse.Namespace, config: Config) -> int:
    """Headless checks, one line each; with `--demo`, against a scratch demo server."""
    from ui.selftest_page import self_test_main

    if not args.demo:
        return self_test_main(config)
    from demo.operator import self_test_on_demo_server

    return self_test_on_demo_server(config, self_test_main)


if __name__ == "__main__":
    sys.exit(main())
