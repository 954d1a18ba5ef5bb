"""The pieces of an installed tablet's world, each real and in its own process: the
reference server over TLS with a private CA, a TCP proxy that can cut the link, the
application started as installed from a managed config file, and a drive along the
assigned route written as NMEA."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import trustme

from coverage.model import Segment
from tests.conftest import REPO
from tests.helpers.fault_proxy import FaultProxy
from tests.helpers.file_keyring import BACKEND, FILE_VARIABLE
from tests.helpers.nmea_drive import Epoch, connected_chain, epochs, nmea_lines, there_and_back

DEMO_USER, DEMO_PASSWORD, DEMO_DEVICE = "demo", "sweep-demo", "demo-tablet-1"
DRIVE_SPEED_MPS = 2.6  # 9.4 km/h: inside the sweeping band
CHAIN_M = 200.0  # long enough that a middle street gets both full passes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Pki:
    ca_pem: Path
    cert_pem: Path
    key_pem: Path


def make_pki(folder: Path) -> Pki:
    """A private CA and a server certificate for 127.0.0.1 signed by it."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    pki = Pki(folder / "city-ca.pem", folder / "server.pem", folder / "server.key")
    ca.cert_pem.write_to_path(str(pki.ca_pem))
    cert.private_key_pem.write_to_path(str(pki.key_pem))
    cert.cert_chain_pems[0].write_to_path(str(pki.cert_pem))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(pki.cert_pem), append=True)
    return pki


class TlsServer:
    """`python -m server` with the demo data, serving HTTPS on a free port."""

    def __init__(self, folder: Path, pki: Pki) -> None:
        self.db_path = folder / "server.sqlite"
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.pki = pki
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server",
                "--db",
                str(self.db_path),
                "--port",
                str(self.port),
                "--seed-demo",
                "--tls-cert",
                str(self.pki.cert_pem),
                "--tls-key",
                str(self.pki.key_pem),
            ],
            cwd=REPO,
            env={**os.environ, "SWEEPLINE_LOG_FORMAT": "text"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with self.client() as http:
                    if http.get("/api/v1/health").status_code == 200:
                        return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the TLS server did not answer its health check")

    def client(self) -> httpx.Client:
        context = ssl.create_default_context(cafile=str(self.pki.ca_pem))
        return httpx.Client(base_url=self.url, verify=context, timeout=10)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)


class ProxyThread:
    """A `FaultProxy` on its own asyncio loop in a thread, so a plain test can cut the
    tablet's link to the server and restore it."""

    def __init__(self, upstream_port: int) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.proxy = FaultProxy("127.0.0.1", upstream_port)
        self._call(self.proxy.start())

    @property
    def url(self) -> str:
        return self.proxy.url.replace("http://", "https://")

    def set(self, mode: str) -> None:
        self._call(self.proxy.set(mode))

    def stop(self) -> None:
        self._call(self.proxy.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

    def _call(self, coroutine: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(10)


def drive_for(route: dict[str, Any], start: datetime, *, still_s: int, turn_s: int) -> list[Epoch]:
    """A short drive over connected streets of `route` (its API form): parked `still_s`,
    along them, stopped `turn_s` at the far end (a red light), and back."""
    segments = [
        Segment(
            f["id"],
            f["properties"].get("street", ""),
            float(f["properties"]["length_m"]),
            int(f["properties"].get("lanes", 1)),
            bool(f["properties"].get("oneway", False)),
            tuple((float(x), float(y)) for x, y in f["geometry"]["coordinates"]),
        )
        for f in route["segments"]["features"]
    ]
    path = there_and_back(connected_chain(segments, CHAIN_M))
    forward, back = path[: len(path) // 2 + 1], path[len(path) // 2 :]
    out = epochs(forward, start=start, speed_mps=DRIVE_SPEED_MPS, still_s=still_s)
    after = out[-1].t + timedelta(seconds=1)
    return out + epochs(back, start=after, speed_mps=DRIVE_SPEED_MPS, still_s=turn_s)


def write_nmea(path: Path, drive: list[Epoch]) -> None:
    path.write_text("".join(line + "\r\n" for e in drive for line in nmea_lines(e)))


@dataclass
class Gpsfake:
    """gpsd fed by gpsfake from `log`, at one epoch (three sentences) a second, starting
    at once (fixes timed to the wall clock must be sent when they happen)."""

    log: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["gpsfake", "-1", "-n", "-q", "-c", "0.333", "-P", str(self.port), str(self.log)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # gpsfake and its gpsd: one group, ended together
        )

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:  # gpsfake waits on its gpsd's clients
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


def managed_config(path: Path, **values: object) -> Path:
    """The administrator's config file, as IT deploys it."""
    lines = ["config_version = 1"]
    for key, value in values.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, int | float):
            lines.append(f"{key} = {value}")
        else:
            lines.append(f'{key} = "{value}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def app_env(system_config: Path, keyring_file: Path) -> dict[str, str]:
    """The installed application's environment: its managed config file, a keyring that
    outlives the process (as the OS keyring does), no display."""
    env = dict(os.environ)  # HOME and the XDG folders already point into tmp_path
    env.update(
        {
            "PYTHONPATH": str(REPO),
            "SWEEPLINE_SYSTEM_CONFIG": str(system_config),
            "PYTHON_KEYRING_BACKEND": BACKEND,
            FILE_VARIABLE: str(keyring_file),
            "QT_QPA_PLATFORM": "offscreen",
        }
    )
    return env


def start_app(
    env: dict[str, str], log: Path, *args: str, stdin: str | None = None
) -> subprocess.Popen[bytes]:
    """`main.py` as installed: no --demo, no --server (the managed config names it)."""
    with log.open("ab") as out:  # the child keeps its own descriptor
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "main.py"), *args],
            env=env,
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    assert proc.stdin is not None
    if stdin is not None:
        proc.stdin.write(stdin.encode())
    proc.stdin.close()
    return proc


def wait_until(condition: Any, timeout_s: float, what: str, interval_s: float = 0.5) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def now_plus(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def processes(*procs: subprocess.Popen[bytes] | None) -> Iterator[subprocess.Popen[bytes]]:
    return (p for p in procs if p is not None and p.poll() is None)
