"""The supervisor's console as a city installs it: `main.py` with no `--demo`, configured
by a managed config file (server, this PC's device id, French), logging in as the
supervisor (a real login: password on stdin) against `python -m server` in its own
process while two real tablets push; the console opens on the whole fleet and saves its
screenshot."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from server.admin import upsert_device
from server.db import Database
from tests.e2e.installed import app_env, managed_config, start_app
from tests.e2e.test_pilot import Operator, add_second_operator
from tests.helpers.server_process import ServerProcess

pytestmark = pytest.mark.e2e
CONSOLE_DEVICE = "supervisor-pc"


async def drive_while(proc: subprocess.Popen[bytes], url: str, folder: Path) -> None:
    """Both tablets drive and push until the console has exited."""
    ops = [Operator(url, folder, "demo"), Operator(url, folder, "demo2")]
    try:
        for seed, op in enumerate(ops):
            await op.start(seed=seed + 3)
        while proc.poll() is None:
            for op in ops:
                op.drive(3)
                op.tablet.flush_fixes()
            await asyncio.sleep(1)
    finally:
        for op in ops:
            await op.aclose()


def test_the_installed_console_logs_in_and_shows_the_fleet(tmp_path: Path) -> None:
    with ServerProcess(tmp_path) as server:
        add_second_operator(server.db_path)
        with Database(server.db_path).write() as conn:
            upsert_device(conn, device_id=CONSOLE_DEVICE, vehicle="Supervisor's office")
        config = managed_config(
            tmp_path / "sweepline.toml",
            server_url=server.url,
            device_id=CONSOLE_DEVICE,
            locale="fr_CA",
        )
        env = app_env(config, tmp_path / "keyring.json")
        env.update(QTWEBENGINE_DISABLE_SANDBOX="1", QTWEBENGINE_CHROMIUM_FLAGS="--disable-gpu")
        shot = tmp_path / "console.png"
        log = tmp_path / "app.log"
        proc = start_app(
            env,
            log,
            "--user",
            "supervisor",
            "--password-stdin",
            "--quit-after",
            "20",
            "--screenshot",
            str(shot),
            stdin="sweep-super\n",
        )
        try:
            asyncio.run(drive_while(proc, server.url, tmp_path))
            assert proc.wait(30) == 0, log.read_text(errors="replace")
        finally:
            if proc.poll() is None:
                proc.kill()
    text = log.read_text(errors="replace")
    assert "language: fr_CA" in text
    assert "screenshot saved" in text, text
    assert "could not log in" not in text
    assert shot.stat().st_size > 20_000
