"""The supervisor's Equity tab and the fleet table's Waiting column, on the real server
with the Cambridge street-sweeping districts imported as areas: one district swept
(recently), the others never, so the never-swept ones sort first and the swept one last;
the tablet's reported outbox depth shows in the fleet table."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from server import admin
from server.clock import local_today
from server.db import Database
from server.embedded import EmbeddedServer
from tests.helpers.cambridge import import_cambridge
from tests.server.helpers import event, login, push_body
from tests.ui.conftest import until
from tests.ui.test_supervisor import close_window, open_window


@pytest.fixture(scope="module")
def cambridge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    path = tmp_path_factory.mktemp("equity") / "server.db"
    embedded = EmbeddedServer(path, seed_demo=True)
    embedded.start()
    with Database(path).write() as conn:
        import_cambridge(conn)
        row = conn.execute(
            "SELECT route_id, segment_id FROM segments WHERE route_id != ("
            " SELECT route_id FROM assignments LIMIT 1) ORDER BY route_id, segment_id LIMIT 1"
        ).fetchone()
        swept_route, swept_segment = row["route_id"], row["segment_id"]
        # A sweep counts only on a route the tablet is assigned: give it this one too.
        admin.assign(
            conn,
            admin.AssignmentRequest(
                date=local_today().isoformat(),
                operator="demo",
                device_id="demo-tablet-1",
                route_id=swept_route,
                assignment_id="asg-cambridge",
            ),
        )
    with httpx.Client(base_url=embedded.url, timeout=10) as http:
        auth = login(http)
        body = push_body(
            str(uuid.uuid4()),
            [
                event(
                    1,
                    "segment_swept",
                    {
                        "assignment_id": "asg-cambridge",
                        "route_id": swept_route,
                        "segment_id": swept_segment,
                        "covered_fraction": 1.0,
                        "source": "inferred",
                    },
                )
            ],
        )
        r = http.post(
            "/api/v1/sync/push", json={**body, "waiting": {"events": 4, "gps": 17}}, headers=auth
        )
        assert r.status_code == 200, r.text
        assert r.json()["results"][0]["status"] == "applied", r.text
    yield embedded
    embedded.stop()


def _item(table: QTableWidget, row: int, col: int) -> QTableWidgetItem:
    item = table.item(row, col)
    assert item is not None, (row, col)
    return item


def test_equity_tab_and_fleet_waiting(
    cambridge: EmbeddedServer,
    tmp_path: Path,
    run: Callable[[Coroutine[Any, Any, None]], None],
) -> None:
    async def scenario() -> None:
        window, api = await open_window(cambridge.url, tmp_path, stale_after_s=120)
        try:
            # Fleet: the Waiting column shows what the tablet reported with its push.
            await until(lambda: window.fleet.table.rowCount() == 1)
            await until(lambda: window.fleet.table.item(0, 7) is not None)
            header = window.fleet.table.horizontalHeaderItem(7)
            assert header is not None
            assert header.text() == "Waiting"
            assert _item(window.fleet.table, 0, 7).text() == "21 (4 ev, 17 fix)"
            assert "17 GPS fixes" in _item(window.fleet.table, 0, 7).toolTip()
            window.tabs.setCurrentWidget(window.fleet)
            window.grab().save(str(tmp_path / "fleet.png"))

            # Equity: ten districts, never-swept ones first, the swept one last.
            table = window.equity.table
            await until(lambda: table.rowCount() == 10)
            rows = [
                [_item(table, r, c).text() for c in range(table.columnCount())]
                for r in range(table.rowCount())
            ]
            names = sorted(r[0] for r in rows)
            assert names == [f"{d} (district)" for d in "ABCDEFGHJK"]
            *never, swept = rows
            assert all(r[2] == "never swept" and r[1] == "0.0 %" for r in never), never
            assert swept[2] != "never swept", swept
            assert float(swept[2]) < 1.0, swept
            assert float(swept[1].removesuffix(" %")) > 0, swept
            assert all(int(r[3]) > 0 for r in rows)
            # Never-swept areas tie on days: lower completion, then name.
            assert [r[0] for r in never] == sorted(r[0] for r in never)
            assert "10 areas" in window.equity.summary.text()

            # The refresh button asks the server again.
            loads: list[str] = []
            window.call_finished.connect(loads.append)
            window.equity.refresh_button.click()
            await until(lambda: "load equity" in loads)
            assert table.rowCount() == 10
            window.tabs.setCurrentWidget(window.equity)
            await until(lambda: window.equity.isVisible())
            window.grab().save(str(tmp_path / "equity.png"))
        finally:
            await close_window(window, api)

    run(scenario())
