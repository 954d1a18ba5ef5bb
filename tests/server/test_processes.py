"""Several server processes on one PostgreSQL database: a supervisor's stream open on
process A receives the push process B accepted (LISTEN/NOTIFY), and both processes can
listen on one port (--reuse-port). Real `python -m server` processes on loopback."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from staff.sse import open_stream
from tests.helpers.pg_cluster import PgCluster
from tests.helpers.server_process import free_port
from tests.server.helpers import SUPERVISOR_LOGIN, fix_batch, login, push
from tests.server.test_kill9 import start_server_process


@pytest.fixture
def two_processes(pg_cluster: PgCluster) -> Iterator[tuple[str, str]]:
    url = pg_cluster.fresh_database()
    ports = [free_port(), free_port()]
    procs = [start_server_process(url, ports[0])]  # the first migrates and seeds
    try:
        procs.append(start_server_process(url, ports[1]))
        yield f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}"
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(15)


async def _position_seen(
    base: str, token: str, device_id: str, pushed: asyncio.Event
) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(10, read=20)) as client:
        async for event in open_stream(client, token, params={"heartbeat": 0.2, "max_s": 15}):
            if event.event == "snapshot":
                pushed.set()  # the stream is open: now push on the other process
            elif event.event == "position" and event.json()["device_id"] == device_id:
                return dict(event.json())
    raise AssertionError("the stream ended without the other process's position")


def test_a_stream_on_one_process_receives_a_push_accepted_by_another(
    two_processes: tuple[str, str],
) -> None:
    a, b = two_processes
    with httpx.Client(base_url=a, timeout=10) as http_a:
        token = login(http_a, SUPERVISOR_LOGIN)["Authorization"].split()[1]
    fixes = [[1_900_000_000_000, 43.4711, -80.5222, 3.0, 90.0, 4.0]]

    async def scenario() -> dict[str, Any]:
        open_now = asyncio.Event()
        seen = asyncio.create_task(_position_seen(a, token, "demo-tablet-1", open_now))
        await asyncio.wait_for(open_now.wait(), 15)

        def push_on_b() -> int:
            with httpx.Client(base_url=b, timeout=10) as http_b:
                auth = login(http_b)
                response = push(
                    http_b, auth, str(uuid.uuid4()), [fix_batch(1, fixes)], stream="gps"
                )
                return response.status_code

        assert await asyncio.to_thread(push_on_b) == 200
        return await asyncio.wait_for(seen, 15)

    position = asyncio.run(scenario())
    assert position["lat"] == pytest.approx(43.4711)
    assert position["username"] == "demo"


def test_two_processes_share_one_port(pg_cluster: PgCluster) -> None:
    url = pg_cluster.fresh_database()
    port = free_port()
    procs = [start_server_process(url, port, "--reuse-port")]
    try:
        procs.append(start_server_process(url, port, "--reuse-port"))
        assert all(proc.poll() is None for proc in procs)  # both listening
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            assert http.get("/api/v1/health").status_code == 200
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(15)
