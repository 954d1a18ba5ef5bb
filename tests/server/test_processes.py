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
from tests.server.helpers import SUPERVISOR_LOGIN, event, fix_batch, login, push
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


def test_an_event_too_large_for_one_notification_arrives_whole_and_in_order(
    two_processes: tuple[str, str],
) -> None:
    """NOTIFY carries at most 8000 bytes: a long note goes through the relay table, and
    the short ones around it still arrive in the order they were pushed."""
    a, b = two_processes
    with httpx.Client(base_url=a, timeout=10) as http_a:
        token = login(http_a, SUPERVISOR_LOGIN)["Authorization"].split()[1]
    # The longest note a tablet may send (4000 characters), in French: JSON escapes each
    # accented letter to six bytes, so this one is about 11 kB on the wire.
    long_text = ("Déjà évité à côté. " * 210)[:4000]
    texts = ["before", long_text, "after"]

    async def notes_seen(opened: asyncio.Event) -> list[str]:
        seen: list[str] = []
        timeout = httpx.Timeout(10, read=20)
        async with httpx.AsyncClient(base_url=a, timeout=timeout) as client:
            params = {"heartbeat": 0.2, "max_s": 15}
            async for event in open_stream(client, token, params=params):
                if event.event == "snapshot":
                    opened.set()
                elif event.event == "feedback" and event.json()["username"] == "demo":
                    seen.append(str(event.json()["payload"]["text"]))
                    if len(seen) == len(texts):
                        return seen
        raise AssertionError(f"the stream ended after {len(seen)} of the notes")

    async def scenario() -> list[str]:
        opened = asyncio.Event()
        seen = asyncio.create_task(notes_seen(opened))
        await asyncio.wait_for(opened.wait(), 15)

        def push_on_b() -> httpx.Response:
            with httpx.Client(base_url=b, timeout=10) as http_b:
                events = [event(i + 1, payload={"text": t}) for i, t in enumerate(texts)]
                return push(http_b, login(http_b), str(uuid.uuid4()), events)

        response = await asyncio.to_thread(push_on_b)
        assert [r["status"] for r in response.json()["results"]] == ["applied"] * 3
        return await asyncio.wait_for(seen, 15)

    assert asyncio.run(scenario()) == texts


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
