"""The one module that owns the server's SQLite database.

Durability rules come from SYNC.md: WAL with `synchronous=FULL` so a commit that has
returned survives a power cut, the schema versioned with `PRAGMA user_version`, and each
migration applied in its own transaction so an interrupted upgrade simply reruns.

Threads: uvicorn runs sync handlers in a thread pool, so no connection is shared by two
units of work at once. Each unit of work borrows a connection from a small pool and gives
it back (opening one per request re-parses the schema every time, which under load cost
more than the request's own SQL); SQLite's own locking serialises writers
(`BEGIN IMMEDIATE`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

BUSY_TIMEOUT_MS: Final = 5000
# Idle connections kept for reuse; more are opened when more threads need one at once.
POOL_IDLE_MAX: Final = 16


class SchemaTooNewError(RuntimeError):
    """The file was written by a newer server; refusing to touch it."""


# Each migration is a list of statements run in one transaction, then user_version = index+1.
# Never edit a released migration: append a new one.
MIGRATIONS: Final[Sequence[Sequence[str]]] = (
    (
        """CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
        # Identifies this database in pull cursors: a recreated database invalidates them.
        "INSERT INTO meta(key, value) VALUES ('epoch', lower(hex(randomblob(16))))",
        """CREATE TABLE users (
            username TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor')),
            display_name TEXT NOT NULL
        )""",
        """CREATE TABLE tokens (
            token_sha256 TEXT PRIMARY KEY,
            username TEXT NOT NULL REFERENCES users(username),
            device_id TEXT,
            created_at TEXT NOT NULL,
            expires_at REAL NOT NULL
        )""",
        "CREATE INDEX tokens_expiry ON tokens(expires_at)",
        """CREATE TABLE devices (
            device_id TEXT PRIMARY KEY,
            vehicle TEXT NOT NULL
        )""",
        """CREATE TABLE routes (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            attribution TEXT NOT NULL DEFAULT '',
            length_m REAL NOT NULL
        )""",
        """CREATE TABLE segments (
            route_id TEXT NOT NULL REFERENCES routes(id),
            segment_id TEXT NOT NULL,
            ord INTEGER NOT NULL,
            street TEXT NOT NULL,
            length_m REAL NOT NULL,
            lanes INTEGER NOT NULL,
            oneway INTEGER NOT NULL,
            coords_json TEXT NOT NULL,
            PRIMARY KEY (route_id, segment_id)
        )""",
        """CREATE TABLE assignments (
            id TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            date TEXT NOT NULL,
            operator TEXT NOT NULL REFERENCES users(username),
            device_id TEXT NOT NULL,
            vehicle TEXT NOT NULL,
            route_id TEXT NOT NULL REFERENCES routes(id)
        )""",
        "CREATE INDEX assignments_operator_date ON assignments(operator, date)",
        # Append-only log the pull cursor walks; `operator` is whose tablet must see it.
        """CREATE TABLE change_log (
            change_id INTEGER PRIMARY KEY AUTOINCREMENT,
            operator TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('put', 'del')),
            version INTEGER NOT NULL,
            value_json TEXT,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX change_log_operator ON change_log(operator, change_id)",
        # A tablet database identity, bound to the first account that used it.
        """CREATE TABLE clients (
            client_id TEXT PRIMARY KEY,
            username TEXT NOT NULL REFERENCES users(username),
            device_id TEXT NOT NULL,
            first_seen TEXT NOT NULL
        )""",
        # The high-water mark per (client, stream), kept forever.
        """CREATE TABLE streams (
            client_id TEXT NOT NULL REFERENCES clients(client_id),
            stream TEXT NOT NULL,
            high_water INTEGER NOT NULL,
            PRIMARY KEY (client_id, stream)
        )""",
        # Every processed fact, applied or rejected, so a resend can be recognised.
        """CREATE TABLE facts (
            client_id TEXT NOT NULL,
            stream TEXT NOT NULL,
            seq INTEGER NOT NULL,
            type TEXT NOT NULL,
            event_id TEXT,
            sha256 TEXT NOT NULL,
            assignment_version INTEGER,
            device_time TEXT,
            gps_time TEXT,
            payload_json TEXT,
            status TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
            reason TEXT,
            flags TEXT NOT NULL DEFAULT '',
            fix_count INTEGER NOT NULL DEFAULT 0,
            username TEXT NOT NULL,
            device_id TEXT NOT NULL,
            received_at TEXT NOT NULL,
            PRIMARY KEY (client_id, stream, seq)
        )""",
        """CREATE TABLE segment_state (
            route_id TEXT NOT NULL,
            segment_id TEXT NOT NULL,
            swept_at TEXT NOT NULL,
            swept_by TEXT NOT NULL,
            passes INTEGER NOT NULL,
            PRIMARY KEY (route_id, segment_id)
        )""",
    ),
    (
        # Roles gain `admin`: SQLite cannot change a CHECK, so the table is rebuilt
        # (migrate() runs with foreign keys off and checks them before committing).
        """CREATE TABLE users_v2 (
            username TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor', 'admin')),
            display_name TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0
        )""",
        "INSERT INTO users_v2(username, password_hash, role, display_name)"
        " SELECT username, password_hash, role, display_name FROM users",
        "DROP TABLE users",
        "ALTER TABLE users_v2 RENAME TO users",
        # Rotating refresh tokens: one family per login; a used token stays valid for
        # a short grace window (`replaced_at`) so a tablet that lost the answer retries.
        """CREATE TABLE refresh_tokens (
            token_sha256 TEXT PRIMARY KEY,
            family TEXT NOT NULL,
            username TEXT NOT NULL REFERENCES users(username),
            device_id TEXT,
            created_at TEXT NOT NULL,
            expires_at REAL NOT NULL,
            replaced_at REAL
        )""",
        "CREATE INDEX refresh_tokens_family ON refresh_tokens(family)",
        "ALTER TABLE tokens ADD COLUMN family TEXT",
        # Which sides were swept and how the last pass was recorded.
        "ALTER TABLE segment_state ADD COLUMN sides TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE segment_state ADD COLUMN last_source TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX facts_username ON facts(username, received_at)",
        "CREATE INDEX facts_device ON facts(device_id, received_at)",
        "CREATE INDEX assignments_route ON assignments(route_id)",
    ),
    (
        # Pilot: versioned forms (every version kept: answers name the one they fit).
        """CREATE TABLE forms (
            id TEXT NOT NULL,
            version INTEGER NOT NULL,
            definition_json TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (id, version)
        )""",
        # Supervisor messages; `audience` is a username or '*' (every operator).
        """CREATE TABLE messages (
            id TEXT PRIMARY KEY,
            text TEXT NOT NULL,
            sender TEXT NOT NULL,
            sent_at TEXT NOT NULL,
            audience TEXT NOT NULL
        )""",
        # One row per operator a message went to: when their tablet pulled it, and acked.
        """CREATE TABLE message_recipients (
            message_id TEXT NOT NULL REFERENCES messages(id),
            username TEXT NOT NULL,
            delivered_at TEXT,
            acked_at TEXT,
            PRIMARY KEY (message_id, username)
        )""",
        "CREATE INDEX message_recipients_user ON message_recipients(username)",
        # Areas for the equity view (sweeping districts, wards), imported like routes.
        """CREATE TABLE areas (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            attribution TEXT NOT NULL DEFAULT '',
            geometry_json TEXT NOT NULL
        )""",
        "CREATE INDEX facts_type ON facts(type, received_at)",
    ),
    (
        # The outbox depth each device last reported with a push (supervisor freshness).
        """CREATE TABLE device_waiting (
            device_id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL,
            events INTEGER NOT NULL,
            gps INTEGER NOT NULL,
            reported_at TEXT NOT NULL
        )""",
    ),
    (
        # The key refresh-token successors are derived with (server.auth): a token reused
        # inside its grace window gets the same successor again, never a second chain.
        "INSERT INTO meta(key, value) VALUES ('token_key', lower(hex(randomblob(32))))",
    ),
)

SCHEMA_VERSION: Final = len(MIGRATIONS)


class _ClientUnit:
    """A `client_write` connection on SQLite: deferred writes run at once."""

    __slots__ = ("_callbacks", "_conn")

    def __init__(self, conn: sqlite3.Connection, callbacks: list[Callable[[], None]]) -> None:
        self._conn = conn
        self._callbacks = callbacks

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        return self._conn.execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        return self._conn.executemany(sql, parameters)

    def defer(self, sql: str, parameters: Sequence[Any] = (), /) -> None:
        self._conn.execute(sql, parameters)

    def after_commit(self, callback: Callable[[], None], /) -> None:
        self._callbacks.append(callback)


class Database:
    """Opens configured connections to one SQLite file and keeps its schema current."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        # Writers queue on this lock instead of in SQLite's busy handler, which sleeps in
        # steps of up to 100 ms and turns contention into long tail latency.
        self._write_lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._idle_lock = threading.Lock()

    kind: Final = "sqlite"

    @property
    def description(self) -> str:
        return str(self.path)

    def migrate(self) -> int:
        """Bring the schema to SCHEMA_VERSION; returns the version found before."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._open()
        try:
            # WAL is a property of the file: set once, it persists.
            conn.execute("PRAGMA journal_mode=WAL")
            found = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if found > SCHEMA_VERSION:
                raise SchemaTooNewError(
                    f"{self.path} has schema version {found}; this server knows up to "
                    f"{SCHEMA_VERSION}"
                )
            # Table rebuilds (see migration 2) need this off; it is checked before commit.
            conn.execute("PRAGMA foreign_keys=OFF")
            for index in range(found, SCHEMA_VERSION):
                conn.execute("BEGIN IMMEDIATE")
                try:
                    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
                    if current != index:  # another process migrated meanwhile
                        conn.execute("ROLLBACK")
                        continue
                    for statement in MIGRATIONS[index]:
                        conn.execute(statement)
                    broken = conn.execute("PRAGMA foreign_key_check").fetchone()
                    if broken is not None:
                        raise sqlite3.IntegrityError(
                            f"migration {index + 1} broke a foreign key in {broken[0]}"
                        )
                    conn.execute(f"PRAGMA user_version = {index + 1}")
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            return found
        finally:
            conn.close()

    def _open(self) -> sqlite3.Connection:
        # isolation_level=None: transactions are explicit (BEGIN/COMMIT below), so the
        # sqlite3 module never opens or commits one behind our back. check_same_thread is
        # off because a pooled connection serves whichever worker thread borrows it next
        # (never two at once).
        conn = sqlite3.connect(
            self.path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return conn

    @contextmanager
    def _borrow(self) -> Iterator[sqlite3.Connection]:
        """A pooled connection outside any transaction; back to the pool afterwards, or
        closed if it is left inside one (an error mid-COMMIT) or the pool is full."""
        with self._idle_lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._open()
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.close()
            else:
                with self._idle_lock:
                    keep = len(self._idle) < POOL_IDLE_MAX
                    if keep:
                        self._idle.append(conn)
                if not keep:
                    conn.close()

    def close(self) -> None:
        """Close the idle pooled connections (borrowed ones close when given back)."""
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (`BEGIN IMMEDIATE`): committed on success, else rolled back."""
        with self._borrow() as conn, self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def client_write(self, client_id: str, *, serial: bool) -> Iterator[_ClientUnit]:
        """A push's unit (server.dbapi.Store.client_write). SQLite has one writer at a time
        anyway, so every unit is serial and deferred writes run at once."""
        callbacks: list[Callable[[], None]] = []
        with self.write() as conn:
            yield _ClientUnit(conn, callbacks)
        for callback in callbacks:
            callback()

    def read_one(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        with self._borrow() as conn:
            return conn.execute(sql, parameters).fetchone()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query inside sees the same snapshot (WAL)."""
        with self._borrow() as conn:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("ROLLBACK")

    def epoch(self) -> str:
        with self.read() as conn:
            return str(conn.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()[0])

    def backup(self, destination: str | Path, /) -> int:
        """Copy the live database to `destination` with SQLite's online backup API.

        Safe while the server runs: readers and writers carry on, and the copy is one
        consistent snapshot. Refuses to overwrite an existing file. Returns its size.
        """
        target = Path(destination)
        if target.exists():
            raise FileExistsError(f"{target} already exists; choose a new file name")
        target.parent.mkdir(parents=True, exist_ok=True)
        source = self._open()
        try:
            copy = sqlite3.connect(target)
            try:
                source.backup(copy, pages=1024)
                copy.execute("PRAGMA journal_mode=DELETE")
            finally:
                copy.close()
        finally:
            source.close()
        return target.stat().st_size
