"""kill -9 the server (a child `python -m server`) in the middle of pushes, restart it:
nothing it answered `applied` for is lost, and the client's re-push is `duplicate`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx

from tests.conftest import REPO
from tests.helpers.server_process import free_port
from tests.server.conftest import NewStore
from tests.server.helpers import DEMO_LOGIN, event, push_body


def start_server_process(store: str | Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    """`python -m server` on `store` (a SQLite file or a PostgreSQL URL), once healthy."""
    option = "--db" if isinstance(store, Path) else "--database"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server",
            option,
            str(store),
            "--port",
            str(port),
            "--seed-demo",
            *extra,
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("the server did not start")


def test_kill_9_mid_push_loses_nothing_applied(new_store: NewStore) -> None:
    db, port = new_store(), free_port()
    url = f"http://127.0.0.1:{port}"
    client_id = str(uuid.uuid4())
    events = [event(seq, payload={"text": f"n{seq}"}) for seq in range(1, 2001)]
    applied: set[int] = set()
    proc = start_server_process(db, port)
    try:
        token = httpx.post(f"{url}/api/v1/auth/login", json=DEMO_LOGIN).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        stop = threading.Event()

        def pusher() -> None:
            next_seq = 1
            with httpx.Client(base_url=url, timeout=5) as http:
                while not stop.is_set() and next_seq <= len(events):
                    batch = events[next_seq - 1 : next_seq - 1 + 20]
                    try:
                        response = http.post(
                            "/api/v1/sync/push", json=push_body(client_id, batch), headers=auth
                        )
                    except httpx.TransportError:
                        return
                    results = response.json()["results"]
                    applied.update(r["seq"] for r in results if r["status"] == "applied")
                    next_seq = response.json()["last_processed_seq"] + 1

        thread = threading.Thread(target=pusher)
        thread.start()
        while len(applied) < 200:
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        stop.set()
        thread.join(10)
        assert applied
        proc = start_server_process(db, port)
        with httpx.Client(base_url=url, timeout=10) as http:
            # Access tokens are stored server-side: the same token works after the restart.
            body = push_body(client_id, [events[s - 1] for s in sorted(applied)])
            response = http.post("/api/v1/sync/push", json=body, headers=auth)
            assert response.status_code == 200, response.text
            statuses = {r["seq"]: r["status"] for r in response.json()["results"]}
            assert set(statuses) == applied
            assert set(statuses.values()) == {"duplicate"}
            assert response.json()["last_processed_seq"] >= max(applied)
    finally:
        proc.kill()
        proc.wait(10)
