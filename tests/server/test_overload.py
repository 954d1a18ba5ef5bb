"""Load shedding with a short line: a burst past the in-flight limit waits its turn (in
arrival order, for a bounded time) instead of being sent away with 503; only a line
that stays full, or is too long, sheds. Real asyncio, real server on loopback."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from server.embedded import EmbeddedServer
from server.overload import InflightLimit
from server.settings import Settings
from tests.server.conftest import NewStore
from tests.server.helpers import DEMO_LOGIN, event, login, push


def test_a_waiter_gets_the_slot_released_by_another_thread() -> None:
    async def scenario() -> tuple[bool, float]:
        limit = InflightLimit(1, queue_max=4, wait_s=5.0)
        assert await limit.acquire()
        threading.Timer(0.2, limit.release).start()  # a worker thread finishing
        began = time.monotonic()
        got = await limit.acquire()
        return got, time.monotonic() - began

    got, waited = asyncio.run(scenario())
    assert got
    assert 0.15 < waited < 2.0


def test_waiters_are_served_in_arrival_order_and_the_count_stays_true() -> None:
    async def scenario() -> tuple[list[int], int]:
        limit = InflightLimit(1, queue_max=4, wait_s=5.0)
        assert await limit.acquire()
        order: list[int] = []

        async def one(i: int) -> None:
            assert await limit.acquire()
            order.append(i)
            await asyncio.sleep(0.01)
            limit.release()

        tasks = []
        for i in range(3):
            tasks.append(asyncio.create_task(one(i)))
            await asyncio.sleep(0.01)  # they join the line in this order
        limit.release()
        await asyncio.gather(*tasks)
        return order, limit.inflight

    order, inflight = asyncio.run(scenario())
    assert order == [0, 1, 2]
    assert inflight == 0


def test_a_full_line_or_a_wait_that_runs_out_is_refused() -> None:
    async def scenario() -> tuple[bool, bool, int]:
        limit = InflightLimit(1, queue_max=1, wait_s=0.2)
        assert await limit.acquire()
        waiting = asyncio.create_task(limit.acquire())
        await asyncio.sleep(0.01)
        line_full = await limit.acquire()  # the one place in line is taken
        timed_out = await waiting
        limit.release()
        return line_full, timed_out, limit.inflight

    line_full, timed_out, inflight = asyncio.run(scenario())
    assert not line_full
    assert not timed_out
    assert inflight == 0  # nobody left holding a slot that was never used


def test_a_grant_racing_a_timeout_passes_the_slot_on() -> None:
    async def scenario() -> int:
        limit = InflightLimit(1, queue_max=2, wait_s=0.05)
        assert await limit.acquire()
        first = asyncio.create_task(limit.acquire())
        await asyncio.sleep(0.01)
        limit.release()  # handed to `first` through the loop ...
        await first
        limit.release()
        return limit.inflight

    assert asyncio.run(scenario()) == 0


@pytest.fixture(scope="module")
def srv(new_store: NewStore) -> Iterator[EmbeddedServer]:
    embedded = EmbeddedServer(
        new_store(),
        settings=Settings(max_inflight_sync=2, max_queued_sync=8, overload_wait_s=3.0),
    )
    embedded.start()
    yield embedded
    embedded.stop()


def test_a_burst_past_the_limit_waits_instead_of_being_shed(srv: EmbeddedServer) -> None:
    assert srv.app is not None
    limit: InflightLimit = srv.app.state.sync_limit
    with httpx.Client(base_url=srv.url, timeout=10) as h:
        auth = login(h, DEMO_LOGIN)
        assert limit.try_acquire()
        assert limit.try_acquire()  # every slot busy
        timers = [threading.Timer(0.3, limit.release), threading.Timer(0.4, limit.release)]
        for timer in timers:
            timer.start()
        began = time.monotonic()
        response = push(h, auth, str(uuid.uuid4()), [event(1)])
        waited = time.monotonic() - began
        for timer in timers:
            timer.join()
    assert response.status_code == 200, response.text
    assert waited >= 0.25  # it really waited for a slot
    deadline = time.monotonic() + 5  # the server releases just after answering
    while limit.inflight and time.monotonic() < deadline:
        time.sleep(0.01)
    assert limit.inflight == 0
