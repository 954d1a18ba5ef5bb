"""RELIABILITY.md, "Network": each case through the fault proxy to the real server.

Durations are scaled to keep each test under a minute (a "long outage" runs on a fake
clock; "flapping for minutes" flaps every 0.3–1 s for 15 s).
"""

from __future__ import annotations

import asyncio
import random
import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from client.api import ApiClient
from client.assignments import AssignmentCache
from client.errors import NetworkUnavailable
from client.outbox import Outbox
from client.store import Store
from server.embedded import EmbeddedServer
from sync.backoff import Backoff
from sync.engine import SyncEngine
from tests.sync.rig import DEMO_DEVICE, assert_exactly_once, make_rig


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_server_down_for_a_long_time_backoff_is_bounded_and_ui_says_offline(
    tmp_path: Path,
) -> None:
    """Ten hours of refused connections on a fake clock: bounded attempts, queue grows."""
    hours = 10

    async def scenario() -> tuple[SyncEngine, FakeClock, list[int]]:
        clock = FakeClock()
        store = Store(tmp_path / "tablet.sqlite", device_id=DEMO_DEVICE)
        outbox = Outbox(store)
        api = ApiClient(f"http://127.0.0.1:{_closed_port()}", deadline_s=2.0)
        api.token = "token"
        engine = SyncEngine(
            store,
            outbox,
            AssignmentCache(store),
            api,
            backoff=Backoff(rng=random.Random(7).random),
            clock=clock,
            sleep=clock.sleep,
        )
        queue: list[int] = []
        task = asyncio.ensure_future(engine.run())
        next_fact = 0.0
        while clock.now < hours * 3600:
            if clock.now >= next_fact:
                outbox.append(
                    "events", "note", {"t": clock.now}, assignment_version=1, gps_time=None
                )
                engine.facts_added()
                queue.append(engine.state.pending_total)
                next_fact += 1800
            await asyncio.sleep(0)
        engine.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await api.aclose()
        store.close()
        return engine, clock, queue

    engine, clock, queue = asyncio.run(scenario())
    attempts = engine.failed_attempts
    # Full jitter under a 300 s cap averages 150 s a wait: about 240 attempts in 10 h.
    assert 120 <= attempts <= 480, attempts
    assert max(clock.sleeps) <= 300.0
    assert queue == sorted(queue), "the queue only grows"
    assert queue[-1] == len(queue), "nothing was sent"
    assert engine.state.online is False
    assert engine.state.offline_since is not None
    assert engine.state.last_error


async def _probe_max_stall(stop: asyncio.Event) -> float:
    """The longest gap between 10 ms timer ticks on this loop, in ms."""
    worst = 0.0
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.01)
        now = time.perf_counter()
        worst = max(worst, (now - last - 0.01) * 1000)
        last = now
    return worst


@pytest.mark.parametrize("fault", ["blackhole", "trickle"])
def test_black_hole_and_trickle_end_at_the_total_deadline_without_stalling_the_loop(
    server: EmbeddedServer, tmp_path: Path, fault: str
) -> None:
    async def scenario() -> tuple[float, float]:
        rig = await make_rig(server, tmp_path, deadline_s=1.5)
        rig.add_events(20)
        await rig.proxy.set(fault)
        stop = asyncio.Event()
        probe = asyncio.ensure_future(_probe_max_stall(stop))
        started = time.monotonic()
        with pytest.raises(NetworkUnavailable, match="within"):
            await rig.engine.sync_once()
        took = time.monotonic() - started
        stop.set()
        stall = await probe
        await rig.close()
        return took, stall

    took, stall = asyncio.run(scenario())
    assert 1.4 <= took <= 3.0, took
    assert stall < 100.0, f"the event loop stalled {stall:.0f} ms"


@pytest.mark.parametrize("fault", ["reset_before_commit", "reset_after_commit", "truncate", "drop"])
def test_reset_before_and_after_commit_and_truncated_body_are_retried_exactly_once(
    server: EmbeddedServer, tmp_path: Path, fault: str
) -> None:
    async def scenario() -> tuple[int, dict[str, Any]]:
        rig = await make_rig(server, tmp_path)
        await rig.engine.pull()
        rig.add_events(30)
        rig.add_fixes(1500)
        await rig.proxy.set(fault, count=3)
        rig.start()
        await rig.drained(30)
        applied = rig.proxy.faults_applied
        states = {
            r[0]: r[1]
            for r in rig.store.conn.execute(
                "SELECT state, count(*) FROM outbox GROUP BY state"
            ).fetchall()
        }
        await rig.close()
        return applied, states

    applied, states = asyncio.run(scenario())
    assert applied == 3
    assert set(states) <= {"applied", "duplicate"}
    assert_exactly_once(server.db_path, Store(tmp_path / "tablet.sqlite", device_id=DEMO_DEVICE))


def test_latency_of_2_to_5_seconds_keeps_single_flight_per_stream_and_order(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    async def scenario() -> dict[str, int]:
        rig = await make_rig(server, tmp_path, deadline_s=20.0, max_batch_events=8)
        in_flight: dict[str, int] = {"events": 0, "gps": 0}
        most: dict[str, int] = {"events": 0, "gps": 0}
        real_push = rig.api.push

        async def watched_push(body: dict[str, Any]) -> dict[str, Any]:
            stream = body["stream"]
            in_flight[stream] += 1
            most[stream] = max(most[stream], in_flight[stream])
            try:
                return await real_push(body)
            finally:
                in_flight[stream] -= 1

        rig.api.push = watched_push  # type: ignore[method-assign]
        rig.add_events(20)
        rig.add_fixes(1200)
        rig.proxy.latency_s = (2.0, 5.0)
        rig.start()
        # Someone else asking for a sync at the same time must not start a second push.
        extra = asyncio.ensure_future(rig.engine.sync_once())
        for _ in range(5):
            rig.add_events(1)
            await asyncio.sleep(0.5)
        await asyncio.wait_for(extra, 40)
        await rig.drained(40)
        await rig.close()
        return most

    most = asyncio.run(scenario())
    assert most == {"events": 1, "gps": 1}
    assert_exactly_once(server.db_path, Store(tmp_path / "tablet.sqlite", device_id=DEMO_DEVICE))


def test_slow_link_8_kb_per_s_shrinks_batches_and_the_backlog_drains(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    async def scenario() -> tuple[int, float]:
        rig = await make_rig(server, tmp_path, deadline_s=4.0)
        await rig.engine.pull()
        rig.add_fixes(2 * 3600)  # two hours of 1 Hz fixes, about 65 KB compressed
        rig.add_events(100)
        rig.proxy.bandwidth_bps = 8 * 1024
        smallest = [rig.engine.batch_limits["gps"][1]]
        rig.start()
        started = time.monotonic()
        while not (rig.engine.state.pending_total == 0 and rig.engine.state.online):
            smallest.append(rig.engine.batch_limits["gps"][1])
            assert time.monotonic() - started < 50, "the backlog did not drain"
            await asyncio.sleep(0.05)
        took = time.monotonic() - started
        await rig.close()
        return min(smallest), took

    smallest, took = asyncio.run(scenario())
    assert smallest < 256 * 1024, "batches shrank"
    assert took < 50
    assert_exactly_once(server.db_path, Store(tmp_path / "tablet.sqlite", device_id=DEMO_DEVICE))


def test_connection_flapping_does_not_wedge_the_queue_and_converges_once_healed(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    async def scenario() -> int:
        rig = await make_rig(server, tmp_path, deadline_s=2.0)
        await rig.engine.pull()
        rig.proxy.flap_range_s = (0.3, 1.0)
        await rig.proxy.set("flap")
        rig.start()
        started = time.monotonic()
        while time.monotonic() - started < 15:
            rig.add_events(3)
            rig.add_fixes(30, t0_ms=1_790_000_000_000 + int((time.monotonic() - started) * 1e6))
            await asyncio.sleep(0.25)
        await rig.proxy.set("pass")
        rig.engine.connectivity_changed()
        await rig.drained(20)
        cuts = rig.proxy.connections
        await rig.close()
        return cuts

    connections = asyncio.run(scenario())
    assert connections > 3
    assert_exactly_once(server.db_path, Store(tmp_path / "tablet.sqlite", device_id=DEMO_DEVICE))


def test_captive_portal_200_with_html_is_not_taken_as_success(tmp_path: Path) -> None:
    def portal(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, html="<html><body>Sign in to CityWiFi</body></html>", request=request
        )

    async def scenario() -> tuple[SyncEngine, Outbox]:
        store = Store(tmp_path / "tablet.sqlite", device_id=DEMO_DEVICE)
        outbox = Outbox(store)
        api = ApiClient("http://127.0.0.1:9", transport=httpx.MockTransport(portal))
        api.token = "token"
        engine = SyncEngine(store, outbox, AssignmentCache(store), api)
        outbox.append("events", "note", {"x": 1}, assignment_version=1, gps_time=None)
        with pytest.raises(NetworkUnavailable, match="Wi-Fi login page"):
            await engine.sync_once()
        await api.aclose()
        return engine, outbox

    engine, outbox = asyncio.run(scenario())
    assert outbox.pending_counts()["events"] == 1
    assert engine.state.last_success is None
    assert datetime.now(UTC)  # the state never claimed a sync
