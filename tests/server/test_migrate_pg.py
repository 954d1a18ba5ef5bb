"""`python -m server migrate-to-postgres`: a pilot's SQLite database, filled through the
real server, copied into a new PostgreSQL database; every table's row count and content
hash equal; the server then runs on PostgreSQL and the tablet carries on (its pull
cursor stays valid, its re-push is `duplicate`, its password still works)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from server.embedded import EmbeddedServer
from server.migrate_pg import TABLES, sqlite_columns, table_digest
from server.pg import PgStore
from tests.conftest import REPO
from tests.helpers.pg_cluster import PgCluster
from tests.server.helpers import (
    SUPERVISOR_LOGIN,
    event,
    fix_batch,
    login,
    pull,
    push,
)


def _fill(path: Path, client_id: str) -> tuple[str, list[dict[str, object]]]:
    """A pilot's day: facts on two streams, a message, a pull; returns (cursor, events)."""
    events = [event(seq, payload={"text": f"n{seq} 100% ✓"}) for seq in range(1, 31)]
    with EmbeddedServer(path) as url, httpx.Client(base_url=url, timeout=10) as http:
        auth = login(http)
        assert push(http, auth, client_id, events).status_code == 200
        fixes = [[1_900_000_000_000 + k, 43.47, -80.52, 2.5, 90.0, 4.0] for k in range(3)]
        assert push(http, auth, client_id, [fix_batch(1, fixes)], stream="gps").status_code == 200
        staff = login(http, SUPERVISOR_LOGIN)
        sent = http.post(
            "/api/v1/messages", json={"text": "Main St first", "to": "demo"}, headers=staff
        )
        assert sent.status_code == 200, sent.text
        cursor = pull(http, auth, client_id, None)["cursor"]
    return str(cursor), events


def test_migrate_to_postgres_round_trip(tmp_path: Path, pg_cluster: PgCluster) -> None:
    path = tmp_path / "pilot.db"
    client_id = str(uuid.uuid4())
    cursor, events = _fill(path, client_id)
    url = pg_cluster.fresh_database()

    done = subprocess.run(
        [sys.executable, "-m", "server", "migrate-to-postgres", "--from", str(path), "--to", url],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "facts" in done.stdout
    assert "content hash are equal" in done.stdout

    # Checked again here, table by table, from both sides.
    source = sqlite3.connect(path)
    target = PgStore(url, pool_size=1)
    try:
        with target.read() as conn:
            for table in TABLES:
                columns = sqlite_columns(source, table)
                assert table_digest(conn, table, columns) == table_digest(source, table, columns), (
                    table
                )
            assert conn.execute("SELECT COUNT(*) FROM facts").fetchone()[0] == 31
    finally:
        source.close()
        target.close()

    with EmbeddedServer(url) as base, httpx.Client(base_url=base, timeout=10) as http:
        auth = login(http)  # the password hash came across
        page = pull(http, auth, client_id, cursor)
        assert page["reset"] is False  # same epoch: the tablet's cursor is still good
        again = push(http, auth, client_id, events).json()
        assert {r["status"] for r in again["results"]} == {"duplicate"}
        more = push(http, auth, client_id, [event(31)]).json()
        assert more["results"][0]["status"] == "applied"  # new rows after the copied ones


def test_migrating_into_a_database_with_data_is_refused(
    tmp_path: Path, pg_cluster: PgCluster
) -> None:
    path = tmp_path / "pilot.db"
    _fill(path, str(uuid.uuid4()))
    url = pg_cluster.fresh_database()
    args = [sys.executable, "-m", "server", "migrate-to-postgres", "--from", str(path), "--to", url]
    first = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    second = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert second.returncode == 1
    assert "already holds data" in second.stderr


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--from", "missing.db", "--to", "postgresql://x@127.0.0.1:1/db"], "no SQLite database"),
        (["--from", "a.db", "--to", "/tmp/b.db"], "must be a postgresql:// URL"),
    ],
)
def test_bad_arguments_are_named(argv: list[str], words: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server", "migrate-to-postgres", *argv],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert words in done.stderr
