"""The reference server as its own process on loopback, as benchmarks measure it
(`python -m server`, as in production, so the load generator does not share its GIL)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db_path: Path, port: int) -> subprocess.Popen[bytes]:
    """Start it with the demo data and return once `/api/v1/health` answers."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "--db", str(db_path), "--port", str(port), "--seed-demo"],
        cwd=REPO,
        env={**os.environ, "SWEEPLINE_LOG_FORMAT": "text"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) the processes `pids` have used so far; 0 where /proc is
    missing (the figure is then not printed)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total
