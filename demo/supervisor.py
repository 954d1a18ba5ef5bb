"""The supervisor demo and the supervisor session: what `main.py` runs when the user is
a supervisor (or admin), and `--demo-supervisor`, where the embedded server also gets a
second operator, tablet and route, and two simulated tablets drive in this process so
the fleet moves on the supervisor's screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from app.tablet import Tablet
from client.api import ApiClient
from client.simulator import RouteSimulator, replay
from client.store import Store
from client.transport import SwitchableTransport
from server.admin import AssignmentRequest, assign, create_user, upsert_device
from server.clock import local_today
from server.db import Database
from server.settings import Settings
from staff.api import SupervisorApi
from staff.fleet import FleetFeed
from ui.supervisor.window import SupervisorWindow

log = logging.getLogger("sweepline.supervisor_demo")

SUPERVISOR = ("supervisor", "sweep-super")
OPERATORS = (
    ("demo", "sweep-demo", "demo-tablet-1"),
    ("demo2", "sweep-demo-2", "demo-tablet-2"),
)
SECOND_VEHICLE = "Sweeper 7"
STAFF_ROLES = ("supervisor", "admin")


def add_second_operator(db_path: Path) -> None:
    """A second operator, tablet and today's assignment on the second demo route."""
    username, password, device_id = OPERATORS[1]
    with Database(db_path).write() as conn:
        create_user(
            conn,
            username=username,
            password=password,
            role="operator",
            display_name="Second Operator",
            settings=Settings(),
        )
        upsert_device(conn, device_id=device_id, vehicle=SECOND_VEHICLE)
        routes = [r[0] for r in conn.execute("SELECT id FROM routes ORDER BY rowid")]
        assign(
            conn,
            AssignmentRequest(
                date=local_today().isoformat(),
                operator=username,
                device_id=device_id,
                route_id=routes[1],
            ),
        )


@dataclass
class DemoTablets:
    """Simulated tablets driving their routes in this process."""

    tablets: list[Tablet] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self, base_url: str, data_dir: Path, *, speed: float, seed: int) -> None:
        for n, (username, password, device_id) in enumerate(OPERATORS):
            transport = SwitchableTransport()
            api = ApiClient(base_url, transport=transport)
            store = Store(data_dir / f"{device_id}.sqlite", device_id=device_id)
            tablet = Tablet(store, api, transport=transport, gps_source_name="simulator")
            self.tablets.append(tablet)
            await api.login(username, password, device_id)
            await tablet.engine.pull()
            tablet.reload_assignment()
            if tablet.assignment is None:
                continue
            tablet.start()
            tablet.start_shift()
            sim = RouteSimulator(tablet.assignment.route, start=tablet.clock.now(), seed=seed + n)
            self.tasks.append(
                asyncio.ensure_future(replay(sim.fixes(), tablet.record_fix, speedup=speed))
            )

    async def aclose(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for tablet in self.tablets:
            if tablet.shift_active:
                tablet.end_shift()
            await tablet.push_before_exit(timeout_s=2.0)
            await tablet.aclose()
            tablet.store.close()


async def run_supervisor_window(
    api: SupervisorApi,
    *,
    quit_after: float | None,
    screenshot: Path | None,
    title_suffix: str = "",
    export_folder: Path | None = None,
) -> int:
    """Show the supervisor window until it is closed (or `quit_after` seconds)."""
    feed = FleetFeed(api)
    window = SupervisorWindow(api, feed, export_folder=export_folder)
    window.setWindowTitle(f"{window.windowTitle()} {title_suffix}".strip())
    window.resize(1400, 860)
    window.show()
    window.start()
    closed = asyncio.get_running_loop().create_future()

    def on_closed() -> None:
        if not closed.done():
            closed.set_result(None)

    window.closed.connect(on_closed)
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closed, timeout=quit_after)
        if screenshot is not None:
            window.grab().save(str(screenshot))
            log.info("screenshot saved to %s", screenshot)
        window.close()
    finally:
        await feed.aclose()
    return 0
