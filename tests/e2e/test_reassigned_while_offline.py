"""RELIABILITY "route reassigned while offline": pending facts are accepted and flagged,
the operator is told, nothing is lost."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from client.simulator import RouteSimulator
from server.admin import upsert_device
from server.db import Database
from server.embedded import EmbeddedServer
from tests.e2e.live_tablet import local_facts, logged_in_tablet


async def _until(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(0.05)


async def _offline_then_reassigned(url: str, server_db: Path, data_dir: Path) -> dict[str, Any]:
    tablet = await logged_in_tablet(url, data_dir)
    try:
        assert tablet.assignment is not None
        assignment_id = tablet.assignment.id
        tablet.start_shift()
        tablet.start()
        await _until(lambda: tablet.sync_state().pending_total == 0, 10)

        tablet.set_network_enabled(False)
        sim = RouteSimulator(tablet.assignment.route, start=datetime.now(UTC), seed=9)
        for i, fix in enumerate(sim.fixes()):
            if i == 240:
                break
            tablet.record_fix(fix)
        tablet.record_exception("parked_cars", "right")
        tablet.flush_fixes(seal=True)
        assert tablet.sync_state().pending_total > 0

        # Meanwhile the supervisor moves the route to another vehicle.
        with Database(server_db).write() as conn:
            upsert_device(conn, device_id="spare-tablet", vehicle="Sweeper 14")
        async with httpx.AsyncClient(base_url=url) as http:
            login = await http.post(
                "/api/v1/auth/login", json={"username": "supervisor", "password": "sweep-super"}
            )
            token = login.json()["access_token"]
            moved = await http.post(
                f"/api/v1/assignments/{assignment_id}/reassign",
                json={"device_id": "spare-tablet", "vehicle": "Sweeper 14"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert moved.status_code == 200, moved.text
            tablet.set_network_enabled(True)
            await _until(lambda: tablet.sync_state().pending_total == 0, 20)
            await tablet.engine.pull()
            listed = await http.get(
                "/api/v1/facts",
                params={"username": "demo", "limit": 1000},
                headers={"Authorization": f"Bearer {token}"},
            )
            facts = listed.json()["facts"]
        return {
            "client_id": tablet.store.client_id,
            "local": local_facts(tablet.store),
            "facts": facts,
            "state": tablet.sync_state(),
        }
    finally:
        await tablet.aclose()
        tablet.store.close()


def test_route_reassigned_while_offline_keeps_and_flags_the_old_facts(tmp_path: Path) -> None:
    server_db = tmp_path / "server.sqlite"
    with EmbeddedServer(server_db, seed_demo=True) as url:
        result = asyncio.run(_offline_then_reassigned(url, server_db, tmp_path))

    ours = [f for f in result["facts"] if f["client_id"] == result["client_id"]]
    remote = sorted((f["stream"], f["seq"]) for f in ours)
    assert remote == [(s, q) for s, q, _ in result["local"]], "nothing lost, nothing twice"
    assert all(f["status"] == "applied" for f in ours)
    flagged = [f for f in ours if "stale_assignment" in (f["flags"] or [])]
    assert any(f["type"] == "exception" for f in flagged), "the offline exception is flagged"
    assert result["state"].stale_facts >= len([f for f in flagged if f["stream"] == "events"])
    assert result["state"].stale_facts > 0, "the operator is told"
