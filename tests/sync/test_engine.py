"""The sync engine's housekeeping: the watchdog for a wedged queue, pruning after retention."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from client.api import ApiClient
from client.assignments import AssignmentCache
from client.outbox import Outbox
from client.store import Store
from server.embedded import EmbeddedServer
from sync.engine import SyncEngine
from tests.sync.rig import DEMO_DEVICE, make_rig, until
from tests.sync.test_reliability_network import FakeClock


def test_watchdog_recreates_the_http_client_after_10_minutes_without_ack_progress(
    tmp_path: Path,
) -> None:
    def wedged(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("stuck", request=request)

    async def scenario() -> tuple[SyncEngine, int, float]:
        clock = FakeClock()
        store = Store(tmp_path / "tablet.sqlite", device_id=DEMO_DEVICE)
        outbox = Outbox(store)
        outbox.append("events", "note", {}, assignment_version=1, gps_time=None)
        api = ApiClient("http://127.0.0.1:9", transport=httpx.MockTransport(wedged))
        api.token = "token"
        recreated = 0
        real_recreate = api.recreate

        async def counting_recreate() -> None:
            nonlocal recreated
            recreated += 1
            await real_recreate()

        api.recreate = counting_recreate  # type: ignore[method-assign]
        engine = SyncEngine(
            store, outbox, AssignmentCache(store), api, clock=clock, sleep=clock.sleep
        )
        task = asyncio.ensure_future(engine.run())
        await until(lambda: clock.now > 25 * 60, 10)
        engine.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await api.aclose()
        store.close()
        return engine, recreated, clock.now

    engine, recreated, fake_seconds = asyncio.run(scenario())
    assert recreated >= 2
    # Once per 10 minutes without progress (give or take the backoff wait it lands in).
    assert abs(recreated - fake_seconds // 600) <= 1
    assert engine.state.watchdog_restarts == recreated
    assert engine.state.last_error


def test_acked_rows_are_pruned_after_the_retention_period_only(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    now = [datetime.now(UTC)]

    async def scenario() -> list[int]:
        rig = await make_rig(server, tmp_path, wall_clock=lambda: now[0], retention_s=86400.0)
        rig.add_events(5)
        rig.start()
        await rig.drained(10)
        counts = [rig.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]]
        # A day and a bit later, on the next successful round, the acked rows go.
        now[0] += timedelta(days=1, hours=1)
        rig.engine._last_prune = -float("inf")
        rig.add_events(1)
        await until(
            lambda: rig.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 1, 10
        )
        counts.append(rig.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
        await rig.close()
        return counts

    assert asyncio.run(scenario()) == [5, 1]
