"""The backup docs/deploy.md prescribes, tested: pg_dump of a live server's database,
pg_restore into a new database, and the server runs on the restore with everything
there (the tablet's cursor still valid, its facts recognised as duplicates)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import psycopg

from server.embedded import EmbeddedServer
from tests.conftest import REPO
from tests.helpers.pg_cluster import PgCluster
from tests.server.helpers import event, login, pull, push


def test_pg_dump_and_restore_give_a_working_server(tmp_path: Path, pg_cluster: PgCluster) -> None:
    url = pg_cluster.fresh_database()
    client_id = str(uuid.uuid4())
    events = [event(seq, payload={"text": f"n{seq}"}) for seq in range(1, 21)]
    dump = tmp_path / "sweepline.dump"
    with EmbeddedServer(url) as base, httpx.Client(base_url=base, timeout=10) as http:
        auth = login(http)
        assert push(http, auth, client_id, events).status_code == 200
        cursor = pull(http, auth, client_id, None)["cursor"]
        # While the server runs, as the nightly job does.
        subprocess.run(
            [str(pg_cluster.bindir / "pg_dump"), "--format=custom", f"--file={dump}", url],
            check=True,
            capture_output=True,
        )
    restored_name = "restored_" + uuid.uuid4().hex[:8]
    with psycopg.connect(pg_cluster.url("postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {restored_name}")
    restored = pg_cluster.url(restored_name)
    subprocess.run(
        [str(pg_cluster.bindir / "pg_restore"), "--no-owner", f"--dbname={restored}", str(dump)],
        check=True,
        capture_output=True,
    )
    listed = subprocess.run(
        [sys.executable, "-m", "server", "list-users", "--database", restored],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    assert "demo" in listed.stdout

    with EmbeddedServer(restored) as base, httpx.Client(base_url=base, timeout=10) as http:
        auth = login(http)
        assert pull(http, auth, client_id, cursor)["reset"] is False
        again = push(http, auth, client_id, events).json()
        assert {r["status"] for r in again["results"]} == {"duplicate"}
        after = push(http, auth, client_id, [event(21)]).json()
        assert after["results"][0]["status"] == "applied"
