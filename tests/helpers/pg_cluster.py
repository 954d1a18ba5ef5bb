"""A throwaway PostgreSQL cluster for tests: Debian's `postgresql` package, `initdb` in a
temporary directory, `postgres` on a free loopback port, stopped at the end.

No docker and no external service: the binaries come from /usr/lib/postgresql/*/bin
(./run installs the package). PostgreSQL refuses to run as root, so as root the cluster
runs as `nobody`. Each test gets its own database (`fresh_database`).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from tests.helpers.server_process import free_port

SUPERUSER = "sweepline"


class PgClusterError(RuntimeError):
    pass


def postgres_bindir() -> Path | None:
    """Where Debian installed initdb/postgres (newest version), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=_version)
    return Path(found[-1]).parent if found else None


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


class PgCluster:
    """`start()`, `fresh_database()` any number of times, `stop()` (removes the files)."""

    def __init__(self) -> None:
        bindir = postgres_bindir()
        if bindir is None:
            raise PgClusterError("PostgreSQL is not installed: apt-get install postgresql")
        self.bindir = bindir
        # Its own directory directly under the temporary folder: pytest's are private to
        # root, which `nobody` could not enter.
        self.base = Path(tempfile.mkdtemp(prefix="sweepline-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self._proc: subprocess.Popen[bytes] | None = None
        self._as_other_user = os.geteuid() == 0

    def _command(self, *argv: str) -> list[str]:
        if self._as_other_user:
            return ["runuser", "-u", "nobody", "--", *argv]
        return list(argv)

    def start(self) -> None:
        if self._as_other_user:
            shutil.chown(self.base, "nobody")
        done = subprocess.run(
            self._command(
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ),
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise PgClusterError(f"initdb failed: {done.stderr.strip()}")
        log_file = open(self.base / "postgres.log", "wb")  # noqa: SIM115 (the child writes it)
        self._proc = subprocess.Popen(
            self._command(
                str(self.bindir / "postgres"),
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-h",
                "127.0.0.1",
                "-k",
                str(self.data),
                "-c",
                "max_connections=300",
                "-c",
                "shared_buffers=32MB",
            ),
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
        log_file.close()  # the child has its own descriptor
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(self.url("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if self._proc.poll() is not None:
                    break
                time.sleep(0.1)
        log = (self.base / "postgres.log").read_text(errors="replace")
        self.stop()
        raise PgClusterError(f"postgres did not start:\n{log}")

    @property
    def postmaster_pid(self) -> int:
        """The server's own process (its backends are its children)."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def fresh_database(self) -> str:
        """A new empty database; its URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE template0")
        return self.url(name)

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()  # smart shutdown would wait for clients: SIGTERM is "smart"
            try:
                self._proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
        shutil.rmtree(self.base, ignore_errors=True)


def sessions_on(url: str) -> int:
    """How many connections other than this one are open to the database of `url`."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    return int(row[0]) if row else 0
