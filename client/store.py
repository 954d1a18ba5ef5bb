"""The one owner of the tablet database.

Every write goes through a `Store` transaction on the event-loop thread; no network I/O
ever happens inside one (Electrum's rule). Disk-full and similar failures surface as
`StorageError` with plain words, never as a raw sqlite3 exception in the UI.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from client.db import open_database
from client.errors import StorageError

log = logging.getLogger("sweepline.store")


class Store:
    def __init__(self, path: Path | str, device_id: str) -> None:
        self.path = Path(path)
        # Plain words for the operator when the database had to be set aside at start.
        self.recovered_from: Path | None = None
        try:
            self.conn = open_database(self.path, device_id)
        except sqlite3.DatabaseError as exc:
            if not _is_corruption(exc):
                raise StorageError(
                    f"the local database {self.path} could not be opened: {exc}"
                ) from exc
            self.recovered_from = _set_aside(self.path)
            log.error("local database damaged (%s); kept as %s", exc, self.recovered_from)
            try:
                self.conn = open_database(self.path, device_id)
            except sqlite3.DatabaseError as exc2:
                raise StorageError(
                    f"the local database {self.path} could not be created: {exc2}"
                ) from exc2
        self._depth = 0

    @property
    def recovery_notice(self) -> str | None:
        if self.recovered_from is None:
            return None
        return (
            "The tablet's database was damaged and has been set aside as "
            f"{self.recovered_from.name}; a fresh one was started. Tell your supervisor."
        )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; nested calls join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StorageError(f"the local database is busy or unwritable: {exc}") from exc
        self._depth = 1
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._rollback()
            raise StorageError(_plain_storage_message(exc)) from exc
        except BaseException:
            self._rollback()
            raise
        finally:
            self._depth = 0

    def _rollback(self) -> None:
        # SQLite has already rolled back after some errors (SQLITE_FULL among them).
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def get_kv(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def set_kv(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO kv VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    @property
    def client_id(self) -> str:
        return str(self.conn.execute("SELECT client_id FROM identity").fetchone()["client_id"])

    @property
    def device_id(self) -> str:
        return str(self.conn.execute("SELECT device_id FROM identity").fetchone()["device_id"])

    def close(self) -> None:
        self.conn.close()


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return any(
        word in text
        for word in ("not a database", "malformed", "corrupt", "integrity check failed")
    )


def _set_aside(path: Path) -> Path:
    """Rename the damaged file (and its WAL and shared-memory files); never delete it."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    path.rename(target)
    return target


def _plain_storage_message(exc: sqlite3.OperationalError) -> str:
    text = str(exc)
    if "full" in text:
        return "the tablet's storage is full: what was already saved is safe; free some space"
    return f"the local database could not be written: {text}"
