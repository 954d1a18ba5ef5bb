"""RELIABILITY.md, "HTTP semantics": status codes and odd answers, mostly on the real server."""

from __future__ import annotations

import asyncio
import gzip
import random
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

import client.api
import client.outbox
from client.api import ApiClient
from client.assignments import AssignmentCache
from client.errors import NetworkUnavailable
from client.outbox import Outbox
from client.store import Store
from server.embedded import EmbeddedServer
from server.settings import Settings
from sync.backoff import Backoff
from sync.engine import SyncEngine
from tests.sync.rig import DEMO_DEVICE, assert_exactly_once, make_rig, until
from tests.sync.test_reliability_network import FakeClock


def _busy_engine(tmp_path: Path, retry_after: str, status: int) -> tuple[SyncEngine, FakeClock]:
    def busy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"detail": "busy"}, headers={"Retry-After": retry_after})

    clock = FakeClock()
    store = Store(tmp_path / f"tablet-{status}.sqlite", device_id=DEMO_DEVICE)
    outbox = Outbox(store)
    outbox.append("events", "note", {}, assignment_version=1, gps_time=None)
    api = ApiClient("http://127.0.0.1:9", transport=httpx.MockTransport(busy))
    api.token = "token"
    engine = SyncEngine(
        store,
        outbox,
        AssignmentCache(store),
        api,
        backoff=Backoff(base_s=1.0, cap_s=300.0, rng=random.Random(3).random),
        clock=clock,
        sleep=clock.sleep,
    )
    return engine, clock


async def _attempts(engine: SyncEngine, clock: FakeClock, n: int) -> list[float]:
    task = asyncio.ensure_future(engine.run())
    await until(lambda: len(clock.sleeps) >= n, 10)
    engine.stop()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return clock.sleeps[:n]


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("form", ["seconds", "date", "huge", "malformed"])
def test_429_and_503_with_retry_after_are_never_retried_sooner_and_capped(
    tmp_path: Path, status: int, form: str
) -> None:
    when = datetime.now(UTC) + timedelta(seconds=600)
    header = {
        "seconds": "120",
        "date": format_datetime(when, usegmt=True),
        "huge": "999999",
        "malformed": "soon-ish",
    }[form]
    engine, clock = _busy_engine(tmp_path, header, status)
    waits = asyncio.run(_attempts(engine, clock, 8))
    if form == "seconds":
        assert min(waits) >= 120
    elif form == "date":
        assert min(waits) >= 590
    elif form == "huge":
        assert min(waits) >= 3600
        assert max(waits) <= 3600, "Retry-After is capped at one hour"
    else:
        assert max(waits) <= 300, "a malformed value falls back to the backoff"
    assert engine.state.online is False
    assert engine.state.pending_total == 1


def test_413_halves_the_batch_down_to_one_and_a_single_oversized_event_is_reported(
    tmp_path: Path,
) -> None:
    settings = Settings(max_events_per_push=1, max_inflated_bytes=64 * 1024)
    with EmbeddedServer(tmp_path / "server.sqlite", seed_demo=True, settings=settings) as _url:
        srv = _CurrentServer.last

        async def scenario() -> tuple[SyncEngine, int, dict[str, int]]:
            rig = await make_rig(srv, tmp_path)
            sizes: list[int] = []
            real_push = rig.api.push

            async def watched(body: dict[str, Any]) -> dict[str, Any]:
                sizes.append(len(body["events"]))
                return await real_push(body)

            rig.api.push = watched  # type: ignore[method-assign]
            rig.add_events(6)
            rig.outbox.append(
                "events",
                "note",
                {"huge": random.randbytes(90_000).hex()},
                assignment_version=1,
                gps_time=None,
            )
            rig.add_events(3, text="behind the huge one")
            rig.add_fixes(100)
            await rig.engine.sync_once()
            limits = min(sizes)
            requests = rig.engine.push_requests
            await rig.engine.sync_once()  # the blocked stream is not retried in a loop
            assert rig.engine.push_requests <= requests + 1
            pending = rig.outbox.pending_counts()
            engine = rig.engine
            await rig.close()
            return engine, limits, pending

        engine, limits, pending = asyncio.run(scenario())
    assert limits == 1, "halved down to one event"
    assert "larger than the server accepts" in (engine.state.last_error or "")
    assert "events" in engine.blocked
    assert pending == {"events": 4, "gps": 0}, "the rest drained; the big one waits, kept"


class _CurrentServer:
    last: EmbeddedServer


@pytest.fixture(autouse=True)
def _remember_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    real_start = EmbeddedServer.start

    def start(self: EmbeddedServer) -> str:
        _CurrentServer.last = self
        return real_start(self)

    monkeypatch.setattr(EmbeddedServer, "start", start)


def test_401_refreshes_once_then_retries(server: EmbeddedServer, tmp_path: Path) -> None:
    async def scenario() -> None:
        rig = await make_rig(server, tmp_path)
        rig.add_events(5)
        rig.api.token = "expired-or-revoked"
        rig.start()
        await rig.drained(10)
        assert rig.engine.state.login_required is False
        await rig.close()

    asyncio.run(scenario())
    assert_exactly_once(server.db_path, Store(tmp_path / "tablet.sqlite", device_id=DEMO_DEVICE))


def test_401_with_refresh_refused_stops_keeps_the_queue_and_asks_to_log_in(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        rig = await make_rig(server, tmp_path)
        rig.add_events(5)
        rig.api.token = "expired"
        rig.api.refresh_token = "refused"
        rig.start()
        await until(lambda: rig.engine.state.login_required, 10)
        requests = rig.engine.push_requests
        await asyncio.sleep(0.5)
        assert rig.engine.push_requests == requests, "stopped, not looping"
        assert rig.engine.state.pending_total == 5
        assert "Log in again" in (rig.engine.state.last_error or "")
        await rig.api.login("demo", "sweep-demo", DEMO_DEVICE)
        rig.engine.login_completed()
        await rig.drained(10)
        await rig.close()

    asyncio.run(scenario())
    assert_exactly_once(server.db_path, Store(tmp_path / "tablet.sqlite", device_id=DEMO_DEVICE))


def test_poison_event_is_rejected_with_its_reason_and_the_rest_drains(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    async def scenario() -> tuple[int, list[Any]]:
        rig = await make_rig(server, tmp_path)
        rig.add_events(3)
        rig.outbox.append(
            "events",
            "segment_swept",
            {
                "assignment_id": "a",
                "route_id": "nowhere",
                "segment_id": "x",
                "covered_fraction": 1.0,
                "source": "inferred",
            },
            assignment_version=1,
            gps_time=None,
        )
        rig.add_events(3)
        rig.start()
        await rig.drained(10)
        rejected = rig.engine.state.rejected
        reasons = rig.store.conn.execute(
            "SELECT stream_seq, reason FROM outbox WHERE state = 'rejected'"
        ).fetchall()
        await rig.close()
        return rejected, [tuple(r) for r in reasons]

    rejected, reasons = asyncio.run(scenario())
    assert rejected == 1
    assert reasons[0][0] == 4
    assert "unknown segment" in reasons[0][1]
    assert_exactly_once(server.db_path, Store(tmp_path / "tablet.sqlite", device_id=DEMO_DEVICE))


def test_reused_sequence_with_different_content_raises_a_loud_alert_and_keeps_the_event(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        rig = await make_rig(server, tmp_path)
        rig.add_events(2, text="original")
        await rig.engine.sync_once()
        # The same numbers again with other content (as a restored or cloned database would).
        rig.store.conn.execute("UPDATE stream_counter SET last_seq = 0 WHERE stream = 'events'")
        rig.store.conn.execute("DELETE FROM outbox")
        rig.add_events(2, text="different")
        await rig.engine.sync_once()
        state = rig.engine.state
        assert state.conflicts == 2
        assert (state.last_error or "").startswith("ALERT")
        kept = rig.store.conn.execute(
            "SELECT count(*) FROM outbox WHERE state = 'conflict'"
        ).fetchone()[0]
        assert kept == 2
        await rig.close()

    asyncio.run(scenario())


def test_device_clock_wrong_by_years_keeps_order_and_skew_is_shown(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    years_ahead = datetime.now(UTC) + timedelta(days=365 * 6)

    class YearsBehind:
        """A tablet clock that stamps its facts in 2019."""

        def now(self) -> datetime:
            return datetime(2019, 3, 1, tzinfo=UTC)

        def today(self) -> date:
            return date(2019, 3, 1)

    async def scenario() -> SyncEngine:
        rig = await make_rig(
            server, tmp_path, wall_clock=lambda: years_ahead, outbox_clock=YearsBehind()
        )
        rig.add_events(5)
        await rig.engine.sync_once()
        engine = rig.engine
        await rig.close()
        return engine

    engine = asyncio.run(scenario())
    assert engine.state.clock_skew_s is not None
    assert engine.state.clock_skew_s > 5 * 365 * 86400
    assert_exactly_once(server.db_path, Store(tmp_path / "tablet.sqlite", device_id=DEMO_DEVICE))


@pytest.mark.parametrize("answer", ["gzip_bomb", "deep_json"])
def test_gzip_bomb_or_absurdly_deep_json_from_the_server_is_a_clear_error_in_bounded_memory(
    tmp_path: Path, answer: str
) -> None:
    if answer == "gzip_bomb":
        body = gzip.compress(b"{" + b" " * (200 * 1024 * 1024) + b"}", compresslevel=9)
        extra = b"Content-Encoding: gzip\r\n"
    else:
        body, extra = b"[" * 200_000 + b"]" * 200_000, b""

    async def hostile(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + extra
            + b"Content-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        await writer.drain()
        writer.close()

    async def scenario() -> str:
        server = await asyncio.start_server(hostile, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        api = ApiClient(f"http://127.0.0.1:{port}")
        api.token = "token"
        try:
            with pytest.raises(NetworkUnavailable) as info:
                await api.pull("c", None)
        finally:
            await api.aclose()
            server.close()
            await server.wait_closed()
        return str(info.value)

    tracemalloc.start()
    message = asyncio.run(scenario())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 100 * 1024 * 1024, "memory stays bounded"
    assert ("larger than" in message) if answer == "gzip_bomb" else ("nested too deeply" in message)


def test_protocol_version_mismatch_says_update_required_and_keeps_the_queue(
    server: EmbeddedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client.api, "PROTOCOL_VERSION", 99)

    async def scenario() -> SyncEngine:
        rig = await make_rig(server, tmp_path)
        rig.add_events(4)
        rig.start()
        await until(lambda: rig.engine.state.update_required, 10)
        engine = rig.engine
        await rig.close()
        return engine

    engine = asyncio.run(scenario())
    assert "update" in (engine.state.last_error or "")
    assert engine.state.pending_total == 4
