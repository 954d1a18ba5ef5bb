"""The tablet as a city installs it, end to end: `main.py` with no `--demo`, configured
only by a managed config file (server, the city's private CA, the device, the GPS
source), against `python -m server` over TLS in its own process, positions from a real
gpsd fed by gpsfake (or a receiver on a serial line: a pseudo-terminal pair), a drive
along the assigned route timed to the wall clock. During the drive the link to the
server is cut for a while, and the tablet is killed with SIGKILL and started again
without a new login. At the end the server's route status lists exactly the segments
the tablet swept, and every fact arrived exactly once."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from client.store import Store
from tests.conftest import REPO
from tests.e2e.installed import (
    DEMO_DEVICE,
    DEMO_PASSWORD,
    DEMO_USER,
    Gpsfake,
    Pki,
    ProxyThread,
    TlsServer,
    app_env,
    drive_for,
    free_port,
    make_pki,
    managed_config,
    now_plus,
    processes,
    start_app,
    wait_until,
    write_nmea,
)
from tests.helpers.nmea_drive import Epoch, nmea_lines
from tests.server.helpers import login, today_assignment
from tests.sync.rig import assert_exactly_once

pytestmark = pytest.mark.e2e

needs_gpsfake = pytest.mark.skipif(
    (shutil.which("gpsfake") is None or shutil.which("gpsd") is None) and not os.environ.get("CI"),
    reason="gpsd and gpsfake are not installed (./run installs them; under CI they must be)",
)
PARKED_S = 12  # the app starts and logs in while the vehicle stands at the first street
TURN_S = 24  # stopped at the far end before driving back: the tablet is killed meanwhile


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return make_pki(tmp_path)


@pytest.fixture
def server(tmp_path: Path, pki: Pki) -> Iterator[TlsServer]:
    srv = TlsServer(tmp_path, pki)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def proxy(server: TlsServer) -> Iterator[ProxyThread]:
    thread = ProxyThread(server.port)
    yield thread
    thread.stop()


class SerialReceiver:
    """A GPS receiver on a serial line: NMEA written to a pty's master at 1 Hz, each
    epoch when its time comes; the application opens the slave as its serial device."""

    def __init__(self, drive: list[Epoch]) -> None:
        self.master, self.slave = pty.openpty()
        os.set_blocking(self.master, False)
        self.device = os.ttyname(self.slave)
        self.drive = drive
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        for epoch in self.drive:
            wait = (epoch.t - now_plus(0)).total_seconds()
            if self._stop.wait(max(wait, 0.0)):
                return
            data = "".join(line + "\r\n" for line in nmea_lines(epoch)).encode()
            with contextlib.suppress(BlockingIOError, OSError):
                os.write(self.master, data)  # a full line buffer drops the epoch, as a wire would

    @property
    def done(self) -> bool:
        return not self.thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(5)
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)


def _tablet_rows(db: Path, sql: str) -> list[sqlite3.Row]:
    if not db.exists():
        return []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []  # not migrated yet
    finally:
        conn.close()


def _events(db: Path, type_: str) -> list[dict[str, object]]:
    rows = _tablet_rows(db, f"SELECT payload FROM outbox WHERE type = '{type_}' ORDER BY seq")
    return [json.loads(r["payload"]) for r in rows]


@needs_gpsfake
@pytest.mark.timeout(420)
@pytest.mark.parametrize("gps", ["gpsd", "nmea-serial"])
def test_installed_tablet_sweeps_through_a_cut_link_and_a_kill(
    tmp_path: Path, server: TlsServer, proxy: ProxyThread, pki: Pki, gps: str
) -> None:
    with server.client() as http:
        assignment = today_assignment(http, login(http))
    route = assignment["route"]
    drive = drive_for(route, start=now_plus(2), still_s=PARKED_S, turn_s=TURN_S)
    gps_keys: dict[str, object]
    feeder: Gpsfake | SerialReceiver
    if gps == "gpsd":
        log = tmp_path / "drive.nmea"
        write_nmea(log, drive)
        feeder = Gpsfake(log, free_port())
        gps_keys = {"gps_source": "gpsd", "gps_address": f"127.0.0.1:{feeder.port}"}
    else:
        feeder = SerialReceiver(drive)
        gps_keys = {"gps_source": "nmea-serial", "gps_serial_device": feeder.device}
    data = tmp_path / "tablet"
    config = managed_config(
        tmp_path / "config.toml",
        server_url=proxy.url,
        ca_certificate=str(pki.ca_pem),
        ca_only=True,
        device_id=DEMO_DEVICE,
        data_dir=str(data),
        **gps_keys,
    )
    env = app_env(config, tmp_path / "keyring.json")
    db = data / "tablet.sqlite"
    app_log = tmp_path / "app.log"
    first = second = None
    feeder.start()
    try:
        # Provisioning-style first login: no screen, the password on stdin only.
        first = start_app(
            env, app_log, "--user", DEMO_USER, "--password-stdin", stdin=DEMO_PASSWORD + "\n"
        )
        wait_until(lambda: _events(db, "shift_started"), 60, "the shift to start on motion")
        assert _events(db, "shift_started")[0]["started_by"] == "motion"

        proxy.set("refuse")  # the signal drops for a while: facts queue on the tablet
        time.sleep(10)
        proxy.set("pass")

        stopped = [e for e in drive[PARKED_S:] if e.speed_mps == 0]
        kill_at = stopped[len(stopped) // 3].t
        wait_until(lambda: now_plus(0) >= kill_at, 180, "the stop at the far end")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert first.returncode == -signal.SIGKILL

        # Started again as after a crash: no login, the session comes from the keyring.
        remaining = (drive[-1].t - now_plus(0)).total_seconds()
        second = start_app(env, app_log, "--quit-after", f"{remaining + 20:.0f}")
        assert second.wait(remaining + 120) == 0, app_log.read_text(errors="replace")[-3000:]
    finally:
        for proc in processes(first, second):
            proc.kill()
            proc.wait(10)
        feeder.stop()

    store = Store(db, device_id=DEMO_DEVICE)
    try:
        assert_exactly_once(server.db_path, store)
    finally:
        store.close()
    swept_here = {str(p["segment_id"]) for p in _events(db, "segment_swept")}
    with server.client() as http:
        status = http.get(f"/api/v1/routes/{route['id']}/status", headers=login(http)).json()
    swept_there = {s["segment_id"] for s in status["segments"] if s["swept"]}
    assert swept_here, "the drive swept nothing"
    assert swept_there == swept_here
    log_text = app_log.read_text(errors="replace")
    assert "resumed the session of demo" in log_text
    assert "shift resumed after a restart" in log_text


@needs_gpsfake
def test_self_test_reports_gpsd_and_fails_clearly_without_it(tmp_path: Path) -> None:
    drive = [
        Epoch(now_plus(1 + i), -80.52, 43.465, 0.0, 0.0) for i in range(30)
    ]  # fmt: skip
    log = tmp_path / "parked.nmea"
    write_nmea(log, drive)
    feeder = Gpsfake(log, free_port())
    config = managed_config(
        tmp_path / "config.toml",
        server_url="https://127.0.0.1:9",
        device_id=DEMO_DEVICE,
        gps_source="gpsd",
        gps_address=f"127.0.0.1:{feeder.port}",
        data_dir=str(tmp_path / "tablet"),
    )
    env = app_env(config, tmp_path / "keyring.json")

    def self_test() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(REPO / "main.py"), "--self-test"],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    feeder.start()
    try:
        time.sleep(3)
        found = self_test()
    finally:
        feeder.stop()
    gps_line = next(line for line in found.stdout.splitlines() if " gps " in f" {line} ")
    assert gps_line.startswith("ok"), found.stdout
    assert f"gpsd at 127.0.0.1:{feeder.port}" in gps_line
    assert "fix" in gps_line
    assert f"device {DEMO_DEVICE}" in found.stdout

    absent = self_test()
    gps_line = next(line for line in absent.stdout.splitlines() if " gps " in f" {line} ")
    assert gps_line.startswith("FAIL"), absent.stdout
    assert "cannot connect" in gps_line
    assert absent.returncode != 0


def test_the_drive_is_what_a_receiver_sends() -> None:
    """The NMEA this file writes parses back to the same positions and times."""
    from client.nmea import NmeaAssembler
    from coverage.model import Segment
    from tests.helpers.nmea_drive import epochs, there_and_back

    segment = Segment("s", "Test St", 100.0, 2, False, ((-80.52, 43.465), (-80.519, 43.4655)))
    drive = epochs(there_and_back([segment]), start=now_plus(0), speed_mps=2.6, still_s=2)
    assembler = NmeaAssembler()
    readings = []
    for epoch in drive:
        for line in nmea_lines(epoch):
            readings += assembler.feed_line((line + "\r\n").encode())
    readings += assembler.flush()
    assert len(readings) == len(drive)
    for epoch, reading in zip(drive, readings, strict=True):
        assert abs(reading.fix.lat - epoch.lat) < 1e-6
        assert abs(reading.fix.lon - epoch.lon) < 1e-6
        assert abs((reading.fix.t - epoch.t).total_seconds()) < 0.011
        assert reading.satellites == 9
