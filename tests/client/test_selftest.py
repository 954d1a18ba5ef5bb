"""The self-test: Qt-free checks against real pieces, and `main.py --self-test` end to end."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from keyring.backends import fail

from client.config import Config, load_config
from client.selftest import (
    Status,
    check_clock,
    check_config,
    check_database,
    check_gps,
    check_keyring,
    check_server,
)
from client.store import Store
from server.embedded import EmbeddedServer

REPO = Path(__file__).resolve().parents[2]


def make_config(tmp_path: Path, **values: str) -> Config:
    return load_config(
        system_path=tmp_path / "no-system.toml",
        user_path=tmp_path / "no-user.toml",
        command_line={"data_dir": str(tmp_path / "data"), **values},
    )


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with EmbeddedServer(tmp_path_factory.mktemp("server") / "server.sqlite") as url:
        yield url


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_database_check_migrates_a_copy_and_leaves_the_original(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    fresh = check_database(config)
    assert fresh.status is Status.OK
    assert "would be created" in fresh.detail
    assert not (tmp_path / "data" / "tablet.sqlite").exists()

    Store(tmp_path / "data" / "tablet.sqlite", device_id="t1").close()
    before = (tmp_path / "data" / "tablet.sqlite").read_bytes()
    existing = check_database(config)
    assert existing.status is Status.OK, existing.detail
    assert "opens (schema" in existing.detail
    assert (tmp_path / "data" / "tablet.sqlite").read_bytes() == before


def test_database_check_fails_on_a_damaged_file_without_touching_it(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    damaged = tmp_path / "data" / "tablet.sqlite"
    damaged.write_bytes(b"this is not a database" * 100)
    result = check_database(make_config(tmp_path))
    assert result.status is Status.FAIL
    assert damaged.read_bytes() == b"this is not a database" * 100
    assert sorted(p.name for p in damaged.parent.iterdir()) == ["tablet.sqlite"]


def test_keyring_check_follows_the_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert check_keyring(make_config(tmp_path)).status is Status.OK  # the test's memory keyring
    import keyring

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    memory = check_keyring(make_config(tmp_path))
    assert memory.status is Status.OK
    assert "in memory only" in memory.detail
    required = check_keyring(make_config(tmp_path, keyring_policy="require"))
    assert required.status is Status.FAIL
    assert "keyring_policy = require" in required.detail


def test_gps_simulator_always_answers(tmp_path: Path) -> None:
    result = asyncio.run(check_gps(make_config(tmp_path, gps_source="simulator")))
    assert result.status is Status.OK


async def _serve_lines(lines: list[bytes]) -> tuple[asyncio.Server, int]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for line in lines:
            writer.write(line)
        await writer.drain()
        await reader.read(100)
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def test_gps_gpsd_and_nmea_answer(tmp_path: Path) -> None:
    async def scenario() -> list[tuple[Status, str]]:
        gpsd, gpsd_port = await _serve_lines(
            [
                b'{"class":"VERSION","release":"3.22","proto_major":3}\n',
                b'{"class":"TPV","mode":3,"lat":43.46,"lon":-80.52}\n',
            ]
        )
        nmea, nmea_port = await _serve_lines(
            [b"$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n"]
        )
        async with gpsd, nmea:
            results = [
                await check_gps(
                    make_config(tmp_path, gps_source="gpsd", gps_address=f"127.0.0.1:{gpsd_port}")
                ),
                await check_gps(
                    make_config(
                        tmp_path, gps_source="nmea-tcp", gps_address=f"127.0.0.1:{nmea_port}"
                    )
                ),
                await check_gps(
                    make_config(
                        tmp_path, gps_source="gpsd", gps_address=f"127.0.0.1:{closed_port()}"
                    ),
                    timeout_s=2,
                ),
            ]
        return [(r.status, r.detail) for r in results]

    (gpsd, nmea, absent) = asyncio.run(scenario())
    assert gpsd[0] is Status.OK
    assert "gpsd 3.22 answers with a 3D fix" in gpsd[1]
    assert nmea[0] is Status.OK
    assert "$GPGGA" in nmea[1]
    assert absent[0] is Status.FAIL
    assert "cannot connect" in absent[1]


def test_server_and_clock_against_the_reference_server(tmp_path: Path, server_url: str) -> None:
    config = make_config(tmp_path, server_url=server_url)
    server, health, rtt = asyncio.run(check_server(config))
    assert server.status is Status.OK, server.detail
    assert health is not None
    clock = check_clock(config, health, rtt)
    assert clock.status is Status.OK, clock.detail
    late = check_clock(config, health, rtt, now=datetime.now(UTC) + timedelta(minutes=10))
    assert late.status is Status.FAIL
    assert "ahead of the server" in late.detail


def test_server_check_says_when_the_server_is_unreachable(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    server, health, rtt = asyncio.run(check_server(make_config(tmp_path, server_url=url)))
    assert server.status is Status.FAIL
    assert server.detail.startswith(f"cannot reach {url}")
    assert check_clock(make_config(tmp_path), health, rtt).status is Status.SKIP
    unset, _, _ = asyncio.run(check_server(make_config(tmp_path)))
    assert unset.detail == "no server_url configured"


def run_main_self_test(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "SWEEPLINE_SYSTEM_CONFIG": str(tmp_path / "system.toml"),
        "SWEEPLINE_CONFIG_DIR": str(tmp_path / "user-config"),
    }
    return subprocess.run(
        # The built-in drive: these checks are about the server, not a receiver.
        [
            sys.executable,
            str(REPO / "main.py"),
            "--self-test",
            "--set",
            "gps_source=simulator",
            *args,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def test_main_self_test_passes_against_the_reference_server(
    tmp_path: Path, server_url: str
) -> None:
    done = run_main_self_test(
        tmp_path, "--server", server_url, "--device-id", "tablet-7", "--data-dir", str(tmp_path)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    names = [line.split()[1] for line in lines[1:-1]]
    assert names == ["config", "database", "keyring", "gps", "server", "clock", "map"]
    assert "device tablet-7" in lines[1]
    assert all(line.startswith("ok") for line in lines[1:-1]), done.stdout
    assert 'typeof L === "object"' in lines[-2]
    assert lines[-1] == "self-test all checks passed"


def test_main_self_test_fails_with_a_clear_line_when_the_server_is_unreachable(
    tmp_path: Path,
) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    done = run_main_self_test(
        tmp_path, "--server", url, "--device-id", "tablet-7", "--data-dir", str(tmp_path)
    )
    assert done.returncode == 1, done.stdout + done.stderr
    server_line = next(line for line in done.stdout.splitlines() if " server " in line)
    assert server_line.startswith(f"FAIL  server    cannot reach {url}")
    assert done.stdout.splitlines()[-1] == "self-test FAILED: server"


def test_a_tablet_with_no_device_id_is_not_enrolled(tmp_path: Path) -> None:
    result = check_config(make_config(tmp_path))
    assert result.status is Status.FAIL
    assert "no device_id (not enrolled)" in result.detail
