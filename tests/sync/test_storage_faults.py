"""RELIABILITY "Trust boundaries", tablet storage: bytes in the tablet's database that no
longer decode. The file is set aside (never deleted), the tablet starts afresh and pulls
its route again, the unsynced facts of the old file are recovered where readable, and
the operator and (through the next push) the supervisor are told. Real SQLite files, the
real server on loopback."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from pathlib import Path

import httpx
import pytest

from app.tablet import Tablet
from client.api import ApiClient
from client.assignments import AssignmentCache
from client.store import Store
from server.embedded import EmbeddedServer
from tests.server.helpers import SUPERVISOR_LOGIN, login
from tests.sync.rig import (
    DEMO_DEVICE,
    DEMO_PASSWORD,
    DEMO_USER,
    assert_exactly_once,
    make_rig,
    noisy_fixes,
)


async def _a_shift_with_unsynced_facts(server: EmbeddedServer, data_dir: Path) -> str:
    """Two notes uploaded, the route cached, then three notes and 20 fixes not yet sent."""
    rig = await make_rig(server, data_dir)
    rig.add_events(2, text="synced")
    await rig.engine.sync_once()
    assert AssignmentCache(rig.store).current() is not None
    rig.add_events(3, text="unsynced")
    rig.outbox.buffer_fixes(noisy_fixes(20), assignment_version=1)
    client_id = rig.store.client_id
    rig.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    await rig.close()
    return client_id


def _flip(path: Path, marker: bytes, at: int = 0) -> bytes:
    """Turn one byte (`at` bytes into the first `marker`) into one UTF-8 never has."""
    data = bytearray(path.read_bytes())
    where = data.find(marker)
    assert where >= 0, marker
    data[where + at] = 0xFF
    path.write_bytes(bytes(data))
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return bytes(data)


def _server_notes(server: EmbeddedServer) -> list[str]:
    conn = sqlite3.connect(server.db_path)
    try:
        rows = conn.execute(
            "SELECT json_extract(payload_json, '$.text') FROM facts WHERE type = 'note'"
        ).fetchall()
    finally:
        conn.close()
    return sorted(str(r[0]) for r in rows)


def _server_recovery_facts(server: EmbeddedServer) -> list[dict[str, object]]:
    conn = sqlite3.connect(server.db_path)
    try:
        rows = conn.execute(
            "SELECT device_id, status, payload_json FROM facts WHERE type = 'storage_recovered'"
        ).fetchall()
    finally:
        conn.close()
    return [{"device_id": d, "status": s, **json.loads(p)} for d, s, p in rows]


async def _restart(server: EmbeddedServer, store: Store) -> Tablet:
    """Start as the app does on this store, log in, and sync once."""
    api = ApiClient(server.url)
    tablet = Tablet(store, api, gps_source_name="test")
    await api.login(DEMO_USER, DEMO_PASSWORD, DEMO_DEVICE)
    tablet.flush_fixes(seal=True)  # the recovered buffered fixes, as at the end of a shift
    await tablet.engine.sync_once()
    return tablet


def test_a_flipped_byte_in_the_cached_route_sets_the_file_aside_and_the_route_comes_back(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    db = tmp_path / "tablet.sqlite"
    old_client = asyncio.run(_a_shift_with_unsynced_facts(server, tmp_path))
    damaged = _flip(db, b'"route": ', at=12)

    store = Store(db, device_id=DEMO_DEVICE)  # as every start opens it: no crash
    assert store.recovered_from is not None
    assert store.recovered_from.read_bytes() == damaged, "set aside as it was, never deleted"
    assert store.client_id == old_client, "every unsynced fact was readable: same identity"

    async def after() -> None:
        tablet = await _restart(server, store)
        try:
            assert tablet.assignment is not None, "the route was pulled again"
            notice = tablet.sync_state().storage_notice
            assert notice is not None
            assert "set aside" in notice
            assert "3 unsent records" in notice
            assert tablet.sync_state().pending_total == 0
        finally:
            await tablet.aclose()

    asyncio.run(after())
    notes = _server_notes(server)
    assert notes == sorted([f"synced {i}" for i in range(2)] + [f"unsynced {i}" for i in range(3)])
    [told] = _server_recovery_facts(server)
    assert (told["device_id"], told["status"]) == (DEMO_DEVICE, "applied")
    assert told["set_aside"] == store.recovered_from.name
    assert told["recovered_events"] == 3
    assert told["recovered_fixes"] == 20
    assert told["unreadable"] == 0
    with httpx.Client(base_url=server.url) as http:
        staff = login(http, SUPERVISOR_LOGIN)
        fleet = http.get("/api/v1/fleet", headers=staff).json()["vehicles"]
    alert = next(v for v in fleet if v["device_id"] == DEMO_DEVICE)["alert"]
    assert alert is not None
    assert store.recovered_from.name in alert
    # The facts already acknowledged stay only in the set-aside file: the server knows more.
    assert_exactly_once(server.db_path, store, server_may_know_more=frozenset({old_client}))
    store.close()


def test_an_unreadable_unsynced_fact_is_skipped_with_a_log_line_the_rest_recovered(
    server: EmbeddedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "tablet.sqlite"
    old_client = asyncio.run(_a_shift_with_unsynced_facts(server, tmp_path))
    _flip(db, b"unsynced 1", at=2)

    with caplog.at_level(logging.WARNING):
        store = Store(db, device_id=DEMO_DEVICE)
    assert store.recovered_from is not None
    assert any("skipped" in r.getMessage() for r in caplog.records), "a log line per skip"
    assert store.client_id != old_client, "a gap in the numbers: a new identity"

    async def after() -> None:
        tablet = await _restart(server, store)
        try:
            notice = tablet.sync_state().storage_notice
            assert notice is not None
            assert "could not be read" in notice
        finally:
            await tablet.aclose()

    asyncio.run(after())
    notes = _server_notes(server)
    assert notes == sorted(["synced 0", "synced 1", "unsynced 0", "unsynced 2"]), (
        "the readable ones arrive once each"
    )
    [told] = _server_recovery_facts(server)
    assert (told["recovered_events"], told["unreadable"]) == (2, 1)
    assert_exactly_once(server.db_path, store, server_may_know_more=frozenset({old_client}))
    store.close()


def test_rows_that_do_not_decode_are_skipped_not_a_crash(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Damage that appears while the app runs: the reader skips the row and says so."""
    store = Store(tmp_path / "tablet.sqlite", device_id=DEMO_DEVICE)
    good = {"id": "a-good", "version": 1, "date": "2031-01-01", "operator": "demo"}
    good.update(device_id=DEMO_DEVICE, vehicle="", route={"id": "r", "name": "R"})
    good["route"]["segments"] = {"type": "FeatureCollection", "features": []}  # type: ignore[index]
    store.conn.execute(
        "INSERT INTO assignment VALUES ('a-good', 1, '2031-01-01', ?)", (json.dumps(good),)
    )
    store.conn.execute(
        "INSERT INTO assignment VALUES ('a-bad', 1, '2031-01-02', CAST(x'7bff22' AS TEXT))"
    )
    with caplog.at_level(logging.WARNING):
        cached = AssignmentCache(store).all()
    assert [a.id for a in cached] == ["a-good"]
    assert any("a-bad" in r.getMessage() for r in caplog.records)
    store.close()
