"""`--demo`: the reference server in this process with the demo data, the demo operator
logged in, and the simulator driving the assigned route at sweeping speed."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from server.db import Database
from server.demo_data import seed_demo_forms
from server.embedded import EmbeddedServer

if TYPE_CHECKING:
    from app.tablet import Tablet
    from client.config import Config
    from ui.operator_run import OperatorRun

log = logging.getLogger("sweepline.demo")

DEMO_USER = "demo"
DEMO_PASSWORD = "sweep-demo"
DEMO_DEVICE = "demo-tablet-1"


def start_demo_server(data_dir: Path) -> EmbeddedServer:
    """The reference server on a free loopback port, seeded with the demo routes,
    accounts and the pilot's forms; the caller stops it."""
    embedded = EmbeddedServer(data_dir / "server.sqlite", seed_demo=True)
    url = embedded.start()
    seed_forms(embedded.db_path)
    log.info("demo server on %s, data in %s", url, data_dir)
    return embedded


def seed_forms(db_path: Path) -> None:
    """The pilot's end-of-shift survey and feedback form, as a city would define them."""
    with Database(db_path).write() as conn:
        seed_demo_forms(conn)


def simulated_drive(*, speed: float, seed: int) -> Callable[[Tablet], Awaitable[None]]:
    """Positions for the demo: the simulator drives the assigned route `speed` times
    faster than real time, through the same feed as a real receiver; the shift starts
    at the first motion, as on an installed tablet."""

    async def drive(tablet: Tablet) -> None:
        from app.positions import PositionFeed, simulated_source

        if tablet.assignment is None:
            return
        source = simulated_source(tablet, speedup=speed, seed=seed)
        await PositionFeed(source, tablet, live=False).run()

    return drive


def demo_run(
    data_dir: Path, *, speed: float, seed: int, **look: Any
) -> tuple[EmbeddedServer, OperatorRun]:
    """The demo's server (the caller stops it) and what the operator application runs on
    it: the demo operator logged in, the simulator driving, the demo's controls shown."""
    from client.logs import register_secret
    from client.transport import SwitchableTransport
    from ui.operator_run import OperatorRun

    register_secret(DEMO_PASSWORD)
    embedded = start_demo_server(data_dir)
    run = OperatorRun(
        embedded.url,
        DEMO_USER,
        DEMO_PASSWORD,
        positions=simulated_drive(speed=speed, seed=seed),
        gps_source="simulator",
        transport=SwitchableTransport(),
        demo=True,
        device_id=DEMO_DEVICE,
        **look,
    )
    return embedded, run


def self_test_on_demo_server(config: Config, self_test: Callable[[Config], int]) -> int:
    """`--self-test --demo`: the self-test against a scratch demo server."""
    embedded = start_demo_server(Path(tempfile.mkdtemp(prefix="sweepline-self-test-server-")))
    try:
        return self_test(config.with_values(server_url=embedded.url))
    finally:
        embedded.stop()
