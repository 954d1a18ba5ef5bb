"""`--demo-supervisor`: the embedded server also gets a second operator, tablet and
route, and two simulated tablets drive in this process so the fleet moves on the
supervisor's screen, which is the product's own supervisor window.
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


async def run_supervisor_demo(
    data_dir: Path, *, speed: float, seed: int, quit_after: float | None, screenshot: Path | None
) -> int:
    """The embedded server, two simulated tablets driving, and the supervisor window."""
    from client.logs import register_secret
    from client.version import VERSION
    from demo.operator import start_demo_server
    from ui.supervisor.run import run_supervisor_window

    embedded = start_demo_server(data_dir)
    add_second_operator(embedded.db_path)
    tablets = DemoTablets()
    staff = SupervisorApi(embedded.url)
    try:
        await tablets.start(embedded.url, data_dir, speed=speed, seed=seed)
        register_secret(SUPERVISOR[1])
        login = await staff.login(*SUPERVISOR)
        register_secret(login.access_token)
        return await run_supervisor_window(
            staff,
            quit_after=quit_after,
            screenshot=screenshot,
            title_suffix=f"{VERSION} (demo)",
            export_folder=data_dir / "exports",
        )
    finally:
        await tablets.aclose()
        await staff.aclose()
        embedded.stop()
