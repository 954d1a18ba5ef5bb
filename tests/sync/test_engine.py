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
from sync.backoff import Backoff
from sync.engine import SyncEngine
from tests.sync.rig import DEMO_DEVICE, make_rig, until
from tests.sync.test_reliability_network import FakeClock


class StopAfter(FakeClock):
    """Fake time that stops the engine once `limit_s` have passed: no real-time waiting."""

    def __init__(self, limit_s: float) -> None:
        super().__init__()
        self.limit_s = limit_s
        self.engine: SyncEngine | None = None

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds)
        if self.now >= self.limit_s and self.engine is not None:
            self.engine.stop()


def test_watchdog_recreates_the_http_client_after_10_minutes_without_ack_progress(
    tmp_path: Path,
) -> None:
    """Deterministic: fake time, and a backoff without jitter (1, 2, 4 … 256, then 300 s)."""

    def wedged(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("stuck", request=request)

    async def scenario() -> tuple[SyncEngine, list[float], list[float]]:
        clock = StopAfter(25 * 60)
        store = Store(tmp_path / "tablet.sqlite", device_id=DEMO_DEVICE)
        outbox = Outbox(store)
        outbox.append("events", "note", {}, assignment_version=1, gps_time=None)
        api = ApiClient("http://127.0.0.1:9", transport=httpx.MockTransport(wedged))
        api.token = "token"
        recreated_at: list[float] = []
        real_recreate = api.recreate

        async def counting_recreate() -> None:
            recreated_at.append(clock.now)
            await real_recreate()

        api.recreate = counting_recreate  # type: ignore[method-assign]
        engine = SyncEngine(
            store,
            outbox,
            AssignmentCache(store),
            api,
            backoff=Backoff(rng=lambda: 1.0),
            clock=clock,
            sleep=clock.sleep,
        )
        clock.engine = engine
        await asyncio.wait_for(engine.run(), timeout=60)
        await api.aclose()
        store.close()
        return engine, recreated_at, clock.sleeps

    engine, recreated_at, sleeps = asyncio.run(scenario())
    # attempts at 0, 1, 3, 7 … 511 s, then every 300 s: 811, 1111, 1411 (stopped at 1711)
    assert sleeps == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300, 300]
    # the first attempt at least 10 minutes after the last progress, then the next one
    # at least 10 minutes after that restart
    assert recreated_at == [811, 1411]
    assert engine.state.watchdog_restarts == 2
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
