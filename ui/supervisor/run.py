"""The supervisor's application: the supervisor window on a staff login's session, live
on the fleet feed, until it is closed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from staff.api import SupervisorApi
from staff.fleet import FleetFeed
from ui.supervisor.window import SupervisorWindow

if TYPE_CHECKING:
    from app.session import Session

log = logging.getLogger("sweepline.supervisor")


async def run_supervisor(
    session: Session, *, quit_after: float | None, screenshot: Path | None
) -> int:
    """Supervisor mode for a staff login: the supervisor window on the same session (its
    renewals kept by the session)."""
    from client.version import VERSION

    staff = SupervisorApi(session.api.base_url, tls=session.api.tls)
    session.lend_to(staff)
    try:
        return await run_supervisor_window(
            staff, quit_after=quit_after, screenshot=screenshot, title_suffix=VERSION
        )
    finally:
        await staff.aclose()


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
