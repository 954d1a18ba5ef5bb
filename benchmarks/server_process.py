"""The reference server as its own process on loopback, as benchmarks measure it
(`python -m server`, as in production, so the load generator does not share its GIL)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(store: Path | str, port: int, *extra: str) -> subprocess.Popen[bytes]:
    """Start it on `store` (a SQLite file or a PostgreSQL URL) with the demo data and
    return once `/api/v1/health` answers."""
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


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name (field 3 onwards)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) the processes `pids` have used so far; 0 where /proc is
    missing (the figure is then not printed)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = _stat(pid)
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def tree_cpu_seconds(root: int) -> float:
    """CPU time of process `root`, of its children it has reaped and of those alive (a
    PostgreSQL server and its backends); 0 where /proc is missing."""
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        fields = _stat(root)
    except OSError:
        return 0.0
    total = sum(int(f) for f in fields[11:15]) / ticks
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            child = _stat(int(entry.name))
        except OSError:
            continue
        if int(child[1]) == root:
            total += (int(child[11]) + int(child[12])) / ticks
    return total


@dataclass(frozen=True)
class Stack:
    base: str  # one URL: several processes share its port (SO_REUSEPORT)
    store: Path | str
    pids: list[int]
    db_pid: int | None = None  # PostgreSQL's postmaster (None: SQLite, in the server)


@contextmanager
def server_stack(database: str, workers: int) -> Iterator[Stack]:
    """The server as deployed: SQLite (one process) or PostgreSQL (a throwaway cluster,
    tests/helpers/pg_cluster.py, with `workers` processes on one port)."""
    if database == "sqlite" and workers != 1:
        raise SystemExit("SQLite runs one server process: --workers 1")
    port = free_port()
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as tmp:
        cluster = None
        try:
            if database == "sqlite":
                store: Path | str = Path(tmp) / "server.db"
                procs.append(start_server(store, port))
            else:
                from tests.helpers.pg_cluster import PgCluster

                cluster = PgCluster()
                cluster.start()
                store = cluster.fresh_database()
                for _ in range(workers):  # the first migrates; one at a time
                    procs.append(start_server(store, port, "--reuse-port"))
            yield Stack(
                f"http://127.0.0.1:{port}",
                store,
                [p.pid for p in procs],
                None if cluster is None else cluster.postmaster_pid,
            )
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=30)
            if cluster is not None:
                cluster.stop()
