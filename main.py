"""Sweepline's composition root: parse arguments, build the objects, run the Qt+asyncio loop.

`python main.py --demo` starts the reference server in-process on 127.0.0.1 with the
real Uptown Waterloo demo data, logs the demo operator in, and drives the assigned
route with the simulator. `--screenshot FILE --quit-after SECONDS` runs the same thing
headless for that long, saves the window as a PNG and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

DEMO_USER = "demo"
DEMO_PASSWORD = "sweep-demo"
DEMO_DEVICE = "demo-tablet-1"

log = logging.getLogger("sweepline")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="sweepline", description=__doc__.split("\n\n")[0])
    p.add_argument("--demo", action="store_true", help="run the self-contained demo")
    p.add_argument("--server", help="backend URL (not with --demo)")
    p.add_argument("--user", help="operator login name (not with --demo)")
    p.add_argument("--device-id", default=os.environ.get("SWEEPLINE_DEVICE_ID", ""))
    p.add_argument("--data-dir", type=Path, help="folder for the tablet database")
    p.add_argument("--speed", type=float, default=12.0, help="demo: simulated time speed-up")
    p.add_argument("--seed", type=int, default=1, help="demo: simulator random seed")
    p.add_argument("--screenshot", type=Path, help="save the window to this PNG, then exit")
    p.add_argument("--quit-after", type=float, help="exit after this many seconds")
    args = p.parse_args(argv)
    if args.demo and (args.server or args.user):
        p.error("--demo runs its own server; leave out --server and --user")
    if not args.demo and not (args.server and args.user and args.device_id):
        p.error("give --demo, or --server, --user and --device-id")
    if args.screenshot and args.quit_after is None:
        p.error("--screenshot needs --quit-after SECONDS")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    password = DEMO_PASSWORD if args.demo else getpass.getpass(f"Password for {args.user}: ")

    from PySide6.QtWidgets import QApplication

    import ui.map_view  # noqa: F401  (QtWebEngineWidgets must load before the QApplication)
    from ui.scheme import register_url_scheme

    register_url_scheme()  # must precede the QApplication
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Sweepline")
    app.setOrganizationName("Sweepline")
    # The coroutine below decides when to stop, after flushing and closing cleanly;
    # Qt quitting on its own would stop the loop under it.
    app.setQuitOnLastWindowClosed(False)

    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        return loop.run_until_complete(_run(app, args, password))


async def _run(app: object, args: argparse.Namespace, password: str) -> int:
    from client.api import ApiClient
    from client.credentials import TokenVault
    from client.errors import UserFacingError
    from client.simulator import RouteSimulator, replay
    from client.store import Store
    from client.tablet import Tablet
    from client.transport import SwitchableTransport
    from ui.operator_window import OperatorWindow

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="sweepline-demo-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    embedded = None
    if args.demo:
        from server.embedded import EmbeddedServer

        embedded = EmbeddedServer(data_dir / "server.sqlite", seed_demo=True)
        base_url = embedded.start()
        log.info("demo server on %s, data in %s", base_url, data_dir)
        username, device_id = DEMO_USER, DEMO_DEVICE
    else:
        base_url, username, device_id = args.server, args.user, args.device_id

    transport = SwitchableTransport()
    api = ApiClient(base_url, transport=transport)
    store = Store(data_dir / "tablet.sqlite", device_id=device_id)
    tablet = Tablet(store, api, transport=transport, gps_source_name="simulator")
    vault = TokenVault()
    tasks: list[asyncio.Task[None]] = []
    try:
        try:
            login = await api.login(username, password, device_id)
            vault.save(username, login.access_token)
            await tablet.engine.pull()
            tablet.reload_assignment()
        except UserFacingError as exc:
            log.error("could not log in or fetch the assignment: %s", exc)
            if tablet.assignment is None:
                print(f"sweepline: {exc}", file=sys.stderr)
                return 1
        window = OperatorWindow(tablet, demo=args.demo)
        window.resize(1280, 800)
        window.show()
        tablet.start()
        if args.demo and tablet.assignment is not None:
            tablet.start_shift()
            sim = RouteSimulator(tablet.assignment.route, start=datetime.now(UTC), seed=args.seed)
            tasks.append(
                asyncio.ensure_future(replay(sim.fixes(), tablet.record_fix, speedup=args.speed))
            )
        closed = asyncio.get_running_loop().create_future()
        window.closed.connect(lambda: closed.done() or closed.set_result(None))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closed, timeout=args.quit_after)
        if args.screenshot:
            window.grab().save(str(args.screenshot))
            log.info("screenshot saved to %s", args.screenshot)
        window.close()
        return 0
    finally:
        for task in tasks:
            task.cancel()
        if tablet.shift_active:
            tablet.end_shift()
        if tablet.network_enabled:
            await tablet.push_before_exit(timeout_s=3.0)
        await tablet.aclose()
        store.close()
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    sys.exit(main())
