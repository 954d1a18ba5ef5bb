"""A tablet's sync core (store, outbox, engine) against the real server through the fault proxy."""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from client.api import ApiClient
from client.assignments import AssignmentCache
from client.clock import SYSTEM_CLOCK, Clock
from client.models import SyncState
from client.outbox import Outbox
from client.store import Store
from server.embedded import EmbeddedServer
from sync.backoff import Backoff
from sync.engine import SyncEngine
from tests.helpers.fault_proxy import FaultProxy

DEMO_USER, DEMO_PASSWORD, DEMO_DEVICE = "demo", "sweep-demo", "demo-tablet-1"


@dataclass
class Rig:
    store: Store
    outbox: Outbox
    api: ApiClient
    engine: SyncEngine
    proxy: FaultProxy
    states: list[SyncState] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

    def add_events(self, n: int, *, text: str = "note") -> None:
        for i in range(n):
            self.outbox.append(
                "events", "note", {"text": f"{text} {i}"}, assignment_version=1, gps_time=None
            )
        self.engine.facts_added()

    def add_fixes(self, n: int, *, t0_ms: int = 1_790_000_000_000, per_batch: int = 600) -> None:
        rows = noisy_fixes(n, t0_ms=t0_ms)
        self.outbox.buffer_fixes(rows, assignment_version=1)
        self.outbox.seal_fixes(per_batch, partial=True)
        self.engine.facts_added()

    def start(self) -> None:
        self.task = asyncio.ensure_future(self.engine.run())

    async def drained(self, timeout_s: float) -> None:
        await until(
            lambda: self.engine.state.pending_total == 0 and self.engine.state.online, timeout_s
        )

    async def close(self) -> None:
        self.engine.stop()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self.api.aclose()
        await self.proxy.stop()
        self.store.close()


def noisy_fixes(
    n: int, *, t0_ms: int = 1_790_000_000_000, seed: int = 1
) -> list[list[float | int | None]]:
    """A sweeper's 1 Hz fixes: a random walk at street speeds with receiver noise."""
    rng = random.Random(seed)
    lat, lon, speed, heading = 43.47, -80.52, 4.0, 90.0
    rows: list[list[float | int | None]] = []
    for i in range(n):
        heading = (heading + rng.gauss(0, 8)) % 360
        speed = min(12.0, max(0.0, speed + rng.gauss(0, 0.4)))
        lat += speed * math.cos(math.radians(heading)) / 111_320 + rng.gauss(0, 2e-6)
        lon += speed * math.sin(math.radians(heading)) / 80_000 + rng.gauss(0, 2e-6)
        rows.append(
            [
                t0_ms + 1000 * i + rng.randint(-3, 3),
                round(lat, 7),
                round(lon, 7),
                round(speed, 2),
                round(heading, 1),
                round(rng.uniform(2.5, 6.0), 1),
            ]
        )
    return rows


async def make_rig(
    server: EmbeddedServer,
    data_dir: Path,
    *,
    deadline_s: float = 5.0,
    login: bool = True,
    outbox_clock: Clock = SYSTEM_CLOCK,
    **engine_kwargs: Any,
) -> Rig:
    proxy = FaultProxy("127.0.0.1", server.port)
    await proxy.start()
    api = ApiClient(proxy.url, deadline_s=deadline_s)
    store = Store(data_dir / "tablet.sqlite", device_id=DEMO_DEVICE)
    outbox = Outbox(store, outbox_clock)
    states: list[SyncState] = []
    engine_kwargs.setdefault("backoff", Backoff(base_s=0.05, cap_s=0.5))
    engine = SyncEngine(
        store, outbox, AssignmentCache(store), api, on_state=states.append, **engine_kwargs
    )
    if login:
        await api.login(DEMO_USER, DEMO_PASSWORD, DEMO_DEVICE)
    return Rig(store, outbox, api, engine, proxy, states)


async def until(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(0.02)


def server_rows(server_db: Path) -> list[tuple[str, str, int, str]]:
    conn = sqlite3.connect(server_db)
    try:
        rows = conn.execute(
            "SELECT client_id, stream, seq, sha256 FROM facts ORDER BY client_id, stream, seq"
        ).fetchall()
    finally:
        conn.close()
    return [(str(c), str(s), int(q), str(h)) for c, s, q, h in rows]


def assert_exactly_once(
    server_db: Path, store: Store, *, server_may_know_more: frozenset[str] = frozenset()
) -> None:
    """Nothing lost, nothing twice, no gaps: the server holds exactly what was committed.

    For the client ids in `server_may_know_more` (a database that went back in time) the
    server may also hold facts this file never saw.
    """
    local = store.conn.execute(
        "SELECT client_id, stream, stream_seq, sha256, state FROM outbox"
        " WHERE state != 'conflict' ORDER BY client_id, stream, stream_seq"
    ).fetchall()
    assert {r["state"] for r in local} <= {"applied", "duplicate", "rejected"}, "all answered"
    expected = [(r[0], r[1], int(r[2]), r[3]) for r in local]
    clients = {r[0] for r in expected}
    remote = [r for r in server_rows(server_db) if r[0] in clients]
    assert [r for r in remote if r[0] not in server_may_know_more] == [
        r for r in expected if r[0] not in server_may_know_more
    ]
    assert set(expected) <= set(remote)
    for client in clients:
        for stream in ("events", "gps"):
            seqs = [r[2] for r in remote if r[0] == client and r[1] == stream]
            assert seqs == list(range(1, len(seqs) + 1)), f"{stream} has gaps"
