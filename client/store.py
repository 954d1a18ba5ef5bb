"""The one owner of the tablet database.

Every write goes through a `Store` transaction on the event-loop thread; no network I/O
ever happens inside one (Electrum's rule). Disk-full and similar failures surface as
`StorageError` with plain words, never as a raw sqlite3 exception in the UI.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from client.errors import StorageError
from client.salvage import Recovery, open_or_recover


class Store:
    def __init__(self, path: Path | str, device_id: str) -> None:
        self.path = Path(path)
        # Set when the database was damaged at start: set aside, recovered into a fresh one.
        self.recovery: Recovery | None = None
        try:
            self.conn, self.recovery = open_or_recover(self.path, device_id)
        except sqlite3.DatabaseError as exc:
            raise StorageError(
                f"the local database {self.path} could not be opened: {exc}"
            ) from exc
        self._depth = 0

    @property
    def recovered_from(self) -> Path | None:
        """Where the damaged database was set aside at this start (None: it was fine)."""
        return None if self.recovery is None else self.recovery.set_aside

    @property
    def recovery_notice(self) -> str | None:
        """Plain words for the operator when the database had to be set aside at start."""
        return None if self.recovery is None else self.recovery.notice()

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


def _plain_storage_message(exc: sqlite3.OperationalError) -> str:
    text = str(exc)
    if "full" in text:
        return "the tablet's storage is full: what was already saved is safe; free some space"
    return f"the local database could not be written: {text}"
