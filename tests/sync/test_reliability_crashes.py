"""RELIABILITY.md, "Crashes and storage": kills, power cuts, regressions, full and bad disks.

The crash loop runs `SWEEPLINE_CRASH_KILLS` kills (default 50; set it higher to run it
as a soak benchmark).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from client.api import ApiClient
from client.db import MIGRATIONS, open_database
from client.errors import StorageError
from client.outbox import Outbox
from client.store import Store
from server.embedded import EmbeddedServer
from tests.conftest import REPO
from tests.sync.rig import DEMO_DEVICE, assert_exactly_once, make_rig, server_rows, until

KILLS = int(os.environ.get("SWEEPLINE_CRASH_KILLS", "50"))


def test_process_killed_mid_push_at_random_moments_loses_nothing(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    """Three tablets side by side, each killed -9 about KILLS/3 times at random moments."""
    lanes = [tmp_path / f"lane{n}" for n in range(3)]
    for lane in lanes:
        lane.mkdir()
    rng = random.Random(2026)
    token = asyncio.run(_login_token(server.url))
    kills = 0
    while kills < KILLS:
        children = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.sync.crash_child",
                    server.url,
                    str(lane / "tablet.sqlite"),
                    str(kills + n),
                    token,
                ],
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            for n, lane in enumerate(lanes)
        ]
        try:
            for child in children:
                assert child.stdout is not None
                child.stdout.readline()  # logged in: from here on, any moment will do
            for child in children:
                # Rounds of record + push take about 10-50 ms: this lands anywhere in them.
                time.sleep(rng.uniform(0.0, 0.12))
                child.send_signal(signal.SIGKILL)
        finally:
            # Whatever happened above, no child outlives this round.
            for child in children:
                child.kill()
                child.wait()
                assert child.stdout is not None
                child.stdout.close()
        kills += len(children)

    for lane in lanes:

        async def finish(lane: Path = lane) -> None:
            rig = await make_rig(server, lane)
            rig.outbox.seal_fixes(10, partial=True)
            rig.start()
            await rig.drained(20)
            await rig.close()

        asyncio.run(finish())
        store = Store(lane / "tablet.sqlite", device_id=DEMO_DEVICE)
        facts = store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
        assert facts > KILLS // 3, "the children committed facts before dying"
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert_exactly_once(server.db_path, store)
        store.close()


async def _login_token(url: str) -> str:
    api = ApiClient(url)
    try:
        result = await api.login("demo", "sweep-demo", DEMO_DEVICE)
    finally:
        await api.aclose()
    return result.access_token


def test_reply_lost_then_power_cut_repush_is_answered_duplicate(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    async def first_life() -> None:
        rig = await make_rig(server, tmp_path)
        rig.add_events(5)
        await rig.proxy.set("drop", count=1)
        with pytest.raises(Exception, match=r"cannot reach|cut off|answer"):
            await rig.engine.sync_once()
        # Power cut: nothing more runs; the file is all that is left (synchronous=FULL).
        await rig.api.aclose()
        await rig.proxy.stop()
        rig.store.conn.close()

    asyncio.run(first_life())
    on_server = len(server_rows(server.db_path))
    assert on_server == 5, "the server committed before the reply was lost"

    async def second_life() -> dict[str, int]:
        rig = await make_rig(server, tmp_path)
        await rig.engine.sync_once()
        states = dict(
            rig.store.conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
        )
        await rig.close()
        return states

    assert asyncio.run(second_life()) == {"duplicate": 5}
    assert len(server_rows(server.db_path)) == on_server


def test_sequence_reuse_after_pruning_gives_new_seq_above_every_old_one(tmp_path: Path) -> None:
    store = Store(tmp_path / "tablet.sqlite", device_id=DEMO_DEVICE)
    box = Outbox(store)
    for i in range(5):
        box.append("events", "note", {"i": i}, assignment_version=1, gps_time=None)
    before = store.conn.execute("SELECT max(seq) FROM outbox").fetchone()[0]
    box.record_push_result(
        "events",
        store.client_id,
        {
            "last_processed_seq": 5,
            "results": [{"seq": s, "status": "applied"} for s in range(1, 6)],
        },
    )
    assert box.prune_acked("9999-01-01T00:00:00Z") == 5
    assert store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    box.append("events", "note", {"i": "new"}, assignment_version=1, gps_time=None)
    row = store.conn.execute("SELECT seq, stream_seq FROM outbox").fetchone()
    assert row[0] > before
    assert row[1] == 6, "the per-stream number carries on too"
    store.close()


def test_local_database_restored_from_an_old_copy_is_detected_new_client_id_nothing_lost(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    db = tmp_path / "tablet.sqlite"
    old_copy = tmp_path / "old.sqlite"

    async def scenario() -> tuple[str, str]:
        rig = await make_rig(server, tmp_path)
        rig.add_events(3, text="before copy")
        await rig.engine.sync_once()
        first_id = rig.store.client_id
        rig.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy(db, old_copy)
        rig.add_events(4, text="lost future")
        rig.add_fixes(20)
        await rig.engine.sync_once()
        await rig.close()
        # Swap in the older file; the tablet records new, different facts on it.
        _swap_in(old_copy, db)
        rig = await make_rig(server, tmp_path)
        rig.add_events(2, text="after restore")
        rig.add_fixes(10, t0_ms=1_795_000_000_000)
        rig.start()
        await rig.drained(20)
        new_id = rig.store.client_id
        conflicts = rig.engine.state.conflicts
        await rig.close()
        assert conflicts >= 1, "the reused numbers were noticed, loudly"
        return first_id, new_id

    first_id, new_id = asyncio.run(scenario())
    assert new_id != first_id
    store = Store(db, device_id=DEMO_DEVICE)
    assert_exactly_once(server.db_path, store, server_may_know_more=frozenset({first_id}))
    texts = {
        r[0]
        for r in sqlite3.connect(server.db_path).execute(
            "SELECT json_extract(payload_json, '$.text') FROM facts WHERE client_id = ?", (new_id,)
        )
    }
    assert {"after restore 0", "after restore 1"} <= texts
    store.close()


def test_disk_full_no_crash_clear_message_recovers_and_keeps_what_was_stored(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "tablet.sqlite", device_id=DEMO_DEVICE)
    box = Outbox(store)
    box.append("events", "note", {"kept": True}, assignment_version=1, gps_time=None)
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(StorageError, match="storage is full") as info:
        _fill(box)
    assert "what was already saved is safe" in str(info.value)
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.conn.execute("PRAGMA max_page_count = 1073741823")
    box.append("events", "note", {"after": True}, assignment_version=1, gps_time=None)
    assert box.pending_counts()["events"] == 2
    store.close()


@pytest.mark.parametrize("damage", ["truncate", "flip_header", "flip_page", "flip_leaf"])
def test_corrupt_database_at_start_is_kept_aside_fresh_database_operator_told(
    tmp_path: Path, damage: str
) -> None:
    path = tmp_path / "tablet.sqlite"
    store = Store(path, device_id=DEMO_DEVICE)
    box = Outbox(store)
    for i in range(300):
        box.append(
            "events", "note", {"i": i, "pad": "p" * 200}, assignment_version=1, gps_time=None
        )
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 3]
    elif damage == "flip_header":
        data[0:16] = b"garbage garbage!"
    elif damage == "flip_page":
        for i in range(4096 * 2, 4096 * 6):
            data[i] ^= 0x5A
    else:  # one leaf page of the outbox, in the middle of the file
        page = data.find(b'"i":150,') // 4096
        for i in range(4096 * page + 100, 4096 * (page + 1)):
            data[i] ^= 0x5A
    path.write_bytes(bytes(data))

    store = Store(path, device_id=DEMO_DEVICE)
    assert store.recovered_from is not None
    assert store.recovered_from.exists(), "the damaged file is kept, never deleted"
    assert store.recovered_from.read_bytes() == bytes(data)
    assert store.recovery_notice is not None
    assert "set aside" in store.recovery_notice
    # Unsynced facts are recovered where readable: each exactly as it was, none twice.
    recovered = [
        json.loads(r[0])["i"]
        for r in store.conn.execute("SELECT payload FROM outbox WHERE type = 'note'")
    ]
    assert len(set(recovered)) == len(recovered)
    assert set(recovered) <= set(range(300))
    if damage == "flip_leaf":
        assert 150 not in recovered
        assert len(recovered) >= 250, "only the facts on the bad page are lost"
    if len(recovered) < 300:
        assert "could not be read" in store.recovery_notice
    store.close()


def test_migration_interrupted_by_a_kill_reruns_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "tablet.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    # A child starts the upgrade to schema 2 the way client.db does, then dies mid-way.
    script = (
        "import os, signal, sqlite3, sys\n"
        "from client.db import MIGRATIONS\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "c.execute(MIGRATIONS[1].split(';')[0])\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    child = subprocess.run([sys.executable, "-c", script, str(path)], cwd=REPO, check=False)
    assert child.returncode == -signal.SIGKILL
    conn = open_database(path, DEMO_DEVICE)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("SELECT count(*) FROM fix_buffer").fetchone()[0] == 0
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def _swap_in(old_copy: Path, db: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    shutil.copy(old_copy, db)


def _fill(box: Outbox) -> None:
    for i in range(1000):
        box.buffer_fixes([[i, 1.0, 2.0, None, None, "x" * 2000]], assignment_version=1)


def _power_cut_run(tmp_path: Path, synchronous: str | None, seed: int) -> tuple[int, set[int], str]:
    """Commit in a child, kill it, keep only what was fsynced; (confirmed, present, check)."""
    tmp_path.mkdir(exist_ok=True)
    db = tmp_path / "tablet.sqlite"
    args = [sys.executable, "-m", "tests.sync.powercut_child", str(db)]
    child = subprocess.Popen(
        [*args, synchronous] if synchronous else args,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    target = random.Random(seed).randint(150, 300)
    confirmed = 0
    while confirmed < target:
        confirmed = int(child.stdout.readline())
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    # The power cut: each existing file goes back to its last fsynced image (or away, if
    # never synced); a deleted file stays deleted; -shm is shared memory, rebuilt.
    for path in [db, Path(f"{db}-wal"), Path(f"{db}-journal"), Path(f"{db}-shm")]:
        durable = Path(f"{path}.durable")
        if path.exists() and durable.exists() and not path.name.endswith("-shm"):
            durable.replace(path)
        else:
            path.unlink(missing_ok=True)
            durable.unlink(missing_ok=True)
    conn = sqlite3.connect(db)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        try:
            present = {int(r[0]) for r in conn.execute("SELECT stream_seq FROM outbox")}
        except sqlite3.OperationalError:
            present = set()  # even the schema was never made durable
    finally:
        conn.close()
    return confirmed, present, check


def test_power_cut_keeps_every_event_the_ui_confirmed(tmp_path: Path) -> None:
    """With client.db's own pragmas: fails if synchronous is not FULL (see the control)."""
    for run in range(3):
        confirmed, present, check = _power_cut_run(tmp_path / f"run{run}", None, run)
        assert check == "ok"
        missing = set(range(1, confirmed + 1)) - present
        assert not missing, f"confirmed but lost in the power cut: {sorted(missing)[:10]}"


def test_power_cut_control_synchronous_normal_loses_confirmed_events(tmp_path: Path) -> None:
    """The VFS really drops un-fsynced writes: WAL + NORMAL loses what the UI confirmed."""
    confirmed, present, check = _power_cut_run(tmp_path, "NORMAL", 1)
    assert check == "ok"
    assert set(range(1, confirmed + 1)) - present, "NORMAL should have lost commits"


def test_killed_between_token_response_and_keyring_write_relogin_keeps_the_queue(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    db = tmp_path / "tablet.sqlite"
    store = Store(db, device_id=DEMO_DEVICE)
    box = Outbox(store)
    for i in range(4):
        box.append("events", "note", {"i": i}, assignment_version=1, gps_time=None)
    store.close()
    # The login answer arrives, and the process dies before it can store the tokens.
    script = (
        "import asyncio, os, signal, sys\n"
        "from client.api import ApiClient\n"
        "async def main():\n"
        "    api = ApiClient(sys.argv[1])\n"
        "    await api.login('demo', 'sweep-demo', 'demo-tablet-1')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "asyncio.run(main())\n"
    )
    child = subprocess.run([sys.executable, "-c", script, server.url], cwd=REPO, check=False)
    assert child.returncode == -signal.SIGKILL

    async def restart() -> None:
        rig = await make_rig(server, tmp_path, login=False)  # no token survived
        rig.start()
        await until(lambda: rig.engine.state.login_required, 10)
        assert rig.engine.state.pending_total == 4, "the queue is kept"
        await rig.api.login("demo", "sweep-demo", DEMO_DEVICE)
        rig.engine.login_completed()
        await rig.drained(10)
        await rig.close()

    asyncio.run(restart())
    assert_exactly_once(server.db_path, Store(db, device_id=DEMO_DEVICE))
