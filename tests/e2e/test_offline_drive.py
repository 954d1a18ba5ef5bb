"""Minutes of simulated sweeping with the connection cut for part of it, on the real server.

Every fact committed on the tablet must reach the server exactly once, in contiguous
per-stream order, and the segments the server says are swept must be the tablet's.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from client.simulator import RouteSimulator
from server.embedded import EmbeddedServer
from tests.e2e.live_tablet import local_facts, logged_in_tablet, server_facts

DRIVE_FIXES = 7 * 60  # seven minutes of 1 Hz fixes
CUT_FROM, CUT_UNTIL = 120, 300


async def _drive(base_url: str, data_dir: Path) -> dict[str, object]:
    tablet = await logged_in_tablet(base_url, data_dir)
    try:
        assert tablet.assignment is not None
        tablet.start_shift()
        tablet.start()
        sim = RouteSimulator(tablet.assignment.route, start=datetime.now(UTC), seed=4)
        waiting_at_cut = waiting_before_restore = 0
        for i, fix in enumerate(sim.fixes()):
            if i == DRIVE_FIXES:
                break
            if i == CUT_FROM:
                await _until(lambda: tablet.sync_state().pending_total == 0, 10)
                tablet.set_network_enabled(False)
                waiting_at_cut = tablet.sync_state().pending_total
            if i == CUT_UNTIL:
                waiting_before_restore = tablet.sync_state().pending_total
                assert not tablet.sync_state().online
                tablet.set_network_enabled(True)
            tablet.record_fix(fix)
            await asyncio.sleep(0.002)
        tablet.end_shift()
        await _until(lambda: tablet.sync_state().pending_total == 0, 30)
        server_swept = await tablet.api.route_status(tablet.assignment.route.id)
        assert tablet.coverage is not None
        return {
            "client_id": tablet.store.client_id,
            "local": local_facts(tablet.store),
            "waiting_at_cut": waiting_at_cut,
            "waiting_before_restore": waiting_before_restore,
            "client_swept": tablet.coverage.swept_ids(),
            "server_swept": {s["segment_id"] for s in server_swept["segments"] if s["swept"]},
            "states": {
                r[0]
                for r in tablet.store.conn.execute("SELECT DISTINCT state FROM outbox").fetchall()
            },
        }
    finally:
        await tablet.aclose()
        tablet.store.close()


async def _until(condition: object, timeout_s: float) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(0.05)


def test_offline_stretch_delivers_every_fact_exactly_once(tmp_path: Path) -> None:
    server_db = tmp_path / "server.sqlite"
    with EmbeddedServer(server_db, seed_demo=True) as url:
        result = asyncio.run(_drive(url, tmp_path))

    local = result["local"]
    assert isinstance(local, list)
    assert result["waiting_at_cut"] == 0
    assert isinstance(result["waiting_before_restore"], int)
    assert result["waiting_before_restore"] >= 3, "the queue grows while offline"
    assert result["states"] == {"applied"}

    remote = server_facts(server_db, str(result["client_id"]))
    assert remote == local, "the server holds exactly the facts committed on the tablet"
    for stream in ("events", "gps"):
        seqs = [seq for s, seq, _ in remote if s == stream]
        assert seqs == list(range(1, len(seqs) + 1)), f"{stream} has gaps or duplicates"
    assert _server_fix_count(server_db, str(result["client_id"])) == DRIVE_FIXES
    assert result["client_swept"], "seven minutes of sweeping swept something"
    assert result["server_swept"] == result["client_swept"]


def _server_fix_count(server_db: Path, client_id: str) -> int:
    conn = sqlite3.connect(server_db)
    try:
        row = conn.execute(
            "SELECT sum(fix_count) FROM facts WHERE client_id = ? AND stream = 'gps'",
            (client_id,),
        ).fetchone()
    finally:
        conn.close()
    return int(row[0])
