"""The operator screen fed by a real gpsd (gpsfake replaying a drive timed to the wall
clock) through the production position feed: the motion lock follows the drive without
flicker and refuses typing while moving, "Now" names the street under the vehicle and
"Next" the nearest street still to sweep. Not the demo simulator: the installed path."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.positions import PositionFeed
from client.positioning import GpsdSource
from tests.e2e.installed import Gpsfake, free_port, write_nmea
from tests.helpers.nmea_drive import connected_chain, epochs, there_and_back
from tests.ui.conftest import delete_widget, run, until, wait_for_map, waterloo_route
from tests.ui.operator_rig import close_tablet, make_tablet
from ui.operator_window import OperatorWindow

SPEED_MPS = 2.2  # 8 km/h: in the sweeping band, where a raw threshold at 5 km/h flickers
PARKED_S = 8
TURN_S = 14  # stopped at the far end longer than the lock's unlock hold

__all__ = ["run"]  # the pumped asyncio loop fixture, used below

pytestmark = pytest.mark.skipif(
    shutil.which("gpsfake") is None or shutil.which("gpsd") is None,
    reason="Debian packages gpsd and gpsd-clients are not installed (./run installs them)",
)


def test_the_screen_follows_a_drive_from_gpsd(
    qtbot: QtBot, tmp_path: Path, run: Callable[[Coroutine[Any, Any, None]], None]
) -> None:
    route = waterloo_route(8)
    chain = connected_chain(route.segments, 60.0)
    path = there_and_back(chain)
    forward, back = path[: len(path) // 2 + 1], path[len(path) // 2 :]
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    drive = epochs(forward, start=start, speed_mps=SPEED_MPS, still_s=PARKED_S)
    drive += epochs(
        back, start=drive[-1].t + timedelta(seconds=1), speed_mps=SPEED_MPS, still_s=TURN_S
    )
    log = tmp_path / "drive.nmea"
    write_nmea(log, drive)
    tablet = make_tablet(tmp_path, route)
    window = OperatorWindow(tablet, theme_mode="day")
    gpsfake = Gpsfake(log, free_port())
    changes: list[bool] = []
    refused_while_moving: list[bool] = []
    try:
        window.resize(1024, 600)
        wait_for_map(qtbot, window)
        window.motion.moving_changed.connect(changes.append)
        gpsfake.start()
        feed = PositionFeed(GpsdSource("127.0.0.1", gpsfake.port), tablet)
        streets = {s.street for s in chain}

        async def scenario() -> None:
            task = asyncio.ensure_future(feed.run())
            try:
                await until(lambda: tablet.gps_state().last_fix is not None, 30)
                await until(
                    lambda: any(s in window.guidance_panel.now_label.text() for s in streets), 30
                )
                await until(lambda: window.motion.is_moving, 40)
                window.open_note()
                refused_while_moving.append(window.note_dialog is None)
                assert window.guidance_panel.next is not None
                # The stop at the far end unlocks it; driving back locks it again.
                await until(lambda: not window.motion.is_moving, 90)
                await until(lambda: window.motion.is_moving, 40)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

        run(scenario())
        assert refused_while_moving == [True]
        assert "Stop" in window.toast.text()
        # Lock, unlock at the turn, lock again: no flicker while sweeping at 8 km/h.
        assert changes == [True, False, True]
        nxt = window.guidance_panel.next
        assert nxt is not None
        assert nxt.street in window.guidance_panel.next_label.text()
        assert tablet.gps_state().source == "test"
    finally:
        gpsfake.stop()
        delete_widget(window)
        close_tablet(tablet)
