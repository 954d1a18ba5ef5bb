"""Screenshots of every supervisor view with the Cambridge MA sweeping districts imported
as routes (the server's `cambridge` preset) and two real tablets driving two districts.

The PNGs go to the test's folder, or to `$SWEEPLINE_SCREENSHOTS` when set (to look at)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest

from server.admin import AssignmentRequest, assign, create_user, upsert_device
from server.clock import local_today
from server.db import Database
from server.embedded import EmbeddedServer
from server.importer import import_routes, load_geojson, mapping_for
from server.settings import Settings
from staff.api import SupervisorApi
from tests.conftest import REPO
from tests.e2e.test_pilot import SURVEY, Operator
from tests.ui.conftest import until
from tests.ui.test_supervisor import close_window, open_window

CAMBRIDGE = REPO / "tests" / "data" / "cambridge_centerlines_with_sweep_district.geojson"
DISTRICTS = {"demo": ("demo-tablet-1", "cambridge-A"), "demo2": ("demo-tablet-2", "cambridge-B")}


@pytest.fixture
def cambridge(tmp_path: Path) -> Iterator[EmbeddedServer]:
    embedded = EmbeddedServer(tmp_path / "server.sqlite", seed_demo=True)
    embedded.start()
    today = local_today().isoformat()
    with Database(embedded.db_path).write() as conn:
        import_routes(conn, load_geojson(CAMBRIDGE), mapping_for("cambridge"))
        create_user(
            conn,
            username="demo2",
            password="sweep-demo-2",
            role="operator",
            display_name="Second",
            settings=Settings(),
        )
        upsert_device(conn, device_id="demo-tablet-2", vehicle="Sweeper 7")
        conn.execute("DELETE FROM assignments")
        for operator, (device_id, route_id) in DISTRICTS.items():
            assign(conn, AssignmentRequest(today, operator, device_id, route_id))
    yield embedded
    embedded.stop()


def test_screenshots_of_the_supervisor_views(
    cambridge: EmbeddedServer,
    tmp_path: Path,
    run: Callable[[Coroutine[Any, Any, None]], None],
) -> None:
    folder = Path(os.environ.get("SWEEPLINE_SCREENSHOTS") or tmp_path)

    async def scenario() -> None:
        staff = SupervisorApi(cambridge.url)
        await staff.login("supervisor", "sweep-super")
        form = await staff._post("/api/v1/forms", {"definition": SURVEY}, "form")
        await staff.aclose()
        ops = [Operator(cambridge.url, tmp_path, name) for name in DISTRICTS]
        try:
            for seed, op in enumerate(ops):
                await op.start(seed=seed + 11)
            for _ in range(6):
                for op in ops:
                    op.drive(100)
                await asyncio.sleep(0)
            ops[0].tablet.record_exception("parked_cars", "left")
            ops[1].tablet.record_exception("debris_pile", "right")
            ops[1].tablet.record_exception("parked_cars", "both")
            ops[0].tablet.add_note("Leaves piled on <b>Brattle St</b>")
            ops[0].answer_survey(form["form"], 4, "Good district")
            ops[1].answer_survey(form["form"], 2, "Cars parked on both sides")
            for op in ops:
                op.tablet.flush_fixes()
            await until(lambda: all(op.pending == 0 for op in ops), 30)
            window, api = await open_window(cambridge.url, tmp_path, stale_after_s=120)
            try:
                await until(lambda: window.fleet.table.rowCount() == 2)
                # The map opens on the whole fleet: both vehicles drawn.
                await until(lambda: window.map.fleet_layer.drawn == 2, 10)
                await asyncio.sleep(1.5)
                shots = {"fleet": window.fleet}
                window.grab().save(str(folder / "supervisor-fleet.png"))
                window.tabs.setCurrentWidget(window.progress)
                window.progress.select_route("cambridge-A")
                await until(lambda: window.progress.history.rowCount() > 0)
                await asyncio.sleep(1.0)
                window.grab().save(str(folder / "supervisor-progress.png"))
                window.tabs.setCurrentWidget(window.feedback)
                await until(lambda: len(window.feedback.items()) == 3)
                window.feedback.select_row(0)
                await until(lambda: window.map_title.text().startswith("Where"))
                await asyncio.sleep(1.0)
                window.grab().save(str(folder / "supervisor-feedback.png"))
                for name, panel in (
                    ("metrics", window.metrics),
                    ("messages", window.messages),
                    ("export", window.exports),
                ):
                    if name == "messages":
                        window.messages.text.setText("Cambridge crews: <i>hydrant</i> on Mass Ave")
                        window.messages.send_button.click()
                        await until(lambda: window.messages.table.rowCount() == 1)
                    window.tabs.setCurrentWidget(panel)
                    await asyncio.sleep(0.5)
                    window.grab().save(str(folder / f"supervisor-{name}.png"))
                    shots[name] = panel
                for name in ("fleet", "progress", "feedback", "metrics", "messages", "export"):
                    assert (folder / f"supervisor-{name}.png").stat().st_size > 10_000
                assert window.map_view.blocked_requests == []
                assert window.metrics.exceptions.values == [1.0, 2.0]

                def operators() -> list[str]:
                    table = window.progress.routes
                    return [table.item(r, 1).text() for r in range(table.rowCount())]

                # The crews are named whichever of progress and fleet arrived first.
                await until(lambda: operators()[:3] == ["demo", "demo2", "—"], 10)
            finally:
                await close_window(window, api)
        finally:
            for op in ops:
                await op.aclose()

    run(scenario())
