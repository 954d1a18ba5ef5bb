"""A tablet restarted with an operator logged in opens their window on their route: no
login screen, the token from the OS keyring, and offline the cached route.

The real entry point in a child process (`main.py --startup-check`) against the real
reference server on loopback; the keyring is a file-backed backend, since an in-memory
one dies with this process.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.session import LAST_OPERATOR_KEY, Session
from app.tablet import Tablet
from client.api import ApiClient
from client.credentials import TokenVault
from client.store import Store
from demo.operator import DEMO_DEVICE
from server.demo_data import DEMO_OPERATOR
from server.embedded import EmbeddedServer
from server.settings import Settings
from tests.conftest import MemoryKeyring
from tests.helpers.file_keyring import BACKEND, FILE_VARIABLE

REPO = Path(__file__).resolve().parent.parent


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_app(server_url: str, data: Path, keyring_file: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)  # HOME and XDG folders already point into tmp_path
    env.update(
        {
            "PYTHONPATH": str(REPO),
            "PYTHON_KEYRING_BACKEND": BACKEND,
            FILE_VARIABLE: str(keyring_file),
            "QT_QPA_PLATFORM": "offscreen",
        }
    )
    command = [
        sys.executable, str(REPO / "main.py"), "--server", server_url,
        "--device-id", DEMO_DEVICE, "--data-dir", str(data), "--startup-check",
    ]  # fmt: skip
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def _tablet_that_remembers(tmp_path: Path, username: str) -> Path:
    """A tablet folder whose database notes `username` as the last login."""
    data = tmp_path / "tablet"
    data.mkdir()
    store = Store(data / "tablet.sqlite", device_id=DEMO_DEVICE)
    store.set_kv(LAST_OPERATOR_KEY, username)
    store.close()
    return data


def _log_in(url: str) -> dict[str, str]:
    username, password, _ = DEMO_OPERATOR
    with httpx.Client(base_url=url, timeout=10) as http:
        login = http.post(
            "/api/v1/auth/login",
            json={"username": username, "password": password, "device_id": DEMO_DEVICE},
        )
    assert login.status_code == 200, login.text
    return dict(login.json())


def test_restart_resumes_the_session_then_shows_the_cached_route_offline(
    tmp_path: Path,
) -> None:
    username = DEMO_OPERATOR[0]
    # Yesterday: the operator logged in on this tablet (what the login screen keeps).
    data = _tablet_that_remembers(tmp_path, username)
    keyring_file = tmp_path / "keyring.json"
    with EmbeddedServer(tmp_path / "server.sqlite", seed_demo=True) as url:
        token = _log_in(url)["access_token"]
        keyring_file.write_text(json.dumps({f"sweepline\n{username}": token}))
        with httpx.Client(base_url=url, timeout=10) as http:
            assignments = http.get(
                "/api/v1/assignments/today", headers={"Authorization": f"Bearer {token}"}
            ).json()["assignments"]
        segments = len(assignments[0]["route"]["segments"]["features"])

        # Restarted with a signal: no login screen, the kept token fetches the route.
        online = _start_app(url, data, keyring_file)
        assert online.returncode == 0, online.stderr[-3000:]
        assert f"route of {segments} segments on the map" in online.stdout
        assert token not in (tmp_path / "tablet" / "tablet.sqlite").read_bytes().decode("latin-1")

    # Restarted again with no signal at all: the cached route is on screen.
    offline = _start_app(f"http://127.0.0.1:{_closed_port()}", data, keyring_file)
    assert offline.returncode == 0, offline.stderr[-3000:]
    assert f"route of {segments} segments on the map" in offline.stdout


def test_an_expired_access_token_is_renewed_and_the_rotated_tokens_are_kept(
    tmp_path: Path,
) -> None:
    # The access token lives one second: the restart finds it refused and must renew it
    # with the kept refresh token, which rotates.
    username = DEMO_OPERATOR[0]
    data = _tablet_that_remembers(tmp_path, username)
    keyring_file = tmp_path / "keyring.json"
    settings = Settings(token_ttl_s=1)
    with EmbeddedServer(tmp_path / "server.sqlite", seed_demo=True, settings=settings) as url:
        login = _log_in(url)
        refresh_entry = f"sweepline\n{username}:refresh"
        keyring_file.write_text(
            json.dumps(
                {f"sweepline\n{username}": login["access_token"],
                 refresh_entry: login["refresh_token"]}
            )
        )  # fmt: skip
        time.sleep(1.5)  # the kept access token has expired; no assignment is cached yet
        result = _start_app(url, data, keyring_file)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "segments on the map" in result.stdout
        kept = json.loads(keyring_file.read_text())[refresh_entry]
        # The refresh token it found was spent; the one the server gave back was kept
        # (the next restart would otherwise find its session revoked).
        assert kept != login["refresh_token"]
        with httpx.Client(base_url=url, timeout=10) as http:
            renewed = http.post("/api/v1/auth/refresh", json={"refresh_token": kept})
        assert renewed.status_code == 200, renewed.text


def test_a_kept_session_the_server_will_not_renew_is_forgotten(
    tmp_path: Path, isolated_environment: MemoryKeyring
) -> None:
    # No cached route and a refresh token the server does not know: the application
    # must fall back to the login screen, not start on nothing or loop on a dead token.
    vault = TokenVault()
    vault.save("demo", "stale-access-token", "unknown-refresh-token")

    async def resume(url: str) -> bool:
        store = Store(tmp_path / "tablet.sqlite", device_id=DEMO_DEVICE)
        api = ApiClient(url)
        tablet = Tablet(store, api)
        try:
            store.set_kv(LAST_OPERATOR_KEY, "demo")
            session = Session(api, vault, store, DEMO_DEVICE)
            return await session.resume(tablet.assignment is not None, tablet.engine.pull)
        finally:
            await tablet.aclose()
            store.close()

    with EmbeddedServer(tmp_path / "server.sqlite", seed_demo=True) as url:
        assert asyncio.run(resume(url)) is False
    assert isolated_environment.passwords == {}
