"""Opening the tablet's SQLite file: durability pragmas and versioned migrations.

WAL with `synchronous=FULL` is what makes "the UI confirmed it" mean "it survives a
power cut" (SYNC.md). Migrations run in one transaction each, keyed on
`PRAGMA user_version`, so an interrupted upgrade simply reruns.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

MIGRATIONS: tuple[str, ...] = (
    # 1: identity, outbox, per-stream counters, cached assignments, coverage state.
    """
    CREATE TABLE identity (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        client_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        client_id TEXT NOT NULL,
        stream TEXT NOT NULL CHECK (stream IN ('events', 'gps')),
        stream_seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        event_id TEXT,
        payload TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        assignment_version INTEGER,
        device_time TEXT NOT NULL,
        gps_time TEXT,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'applied', 'duplicate', 'rejected', 'conflict')),
        reason TEXT,
        acked_at TEXT,
        UNIQUE (client_id, stream, stream_seq)
    );
    CREATE INDEX outbox_pending ON outbox (stream, state, stream_seq);
    CREATE TABLE stream_counter (
        stream TEXT PRIMARY KEY,
        last_seq INTEGER NOT NULL,
        acked_seq INTEGER NOT NULL
    );
    INSERT INTO stream_counter VALUES ('events', 0, 0), ('gps', 0, 0);
    CREATE TABLE assignment (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        date TEXT NOT NULL,
        value TEXT NOT NULL
    );
    CREATE TABLE segment_coverage (
        assignment_id TEXT NOT NULL,
        segment_id TEXT NOT NULL,
        covered BLOB NOT NULL,
        swept_at TEXT,
        PRIMARY KEY (assignment_id, segment_id)
    );
    CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: fixes are committed every few seconds into a buffer and sealed into one outbox
    # row per few hundred (per-row overhead, a sha256 above all, does not compress);
    # outbox rows count the facts they carry so the screens can say "fixes waiting".
    """
    CREATE TABLE fix_buffer (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        assignment_version INTEGER,
        fix TEXT NOT NULL
    );
    ALTER TABLE outbox ADD COLUMN item_count INTEGER NOT NULL DEFAULT 1;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)

# What makes a commit survive a power cut (tests/sync/test_reliability_storage.py runs
# these under a VFS that drops un-fsynced writes).
DURABILITY_PRAGMAS: tuple[str, ...] = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL")


def iso_z(moment: datetime) -> str:
    """UTC, millisecond ISO 8601 with `Z`: the one timestamp spelling stored and sent."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_now_iso() -> str:
    return iso_z(datetime.now(UTC))


def open_database(path: Path | str, device_id: str) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the tablet database."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    for pragma in DURABILITY_PRAGMAS:
        conn.execute(pragma)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")
    try:
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {check}")
        _check_text(conn)
        _migrate(conn)
    except BaseException:
        conn.close()
        raise
    _ensure_identity(conn, device_id)
    return conn


def _check_text(conn: sqlite3.Connection) -> None:
    """Read every row once: a flipped byte in a text value passes `quick_check` (which
    checks structure, not encodings) and then fails every start where it is read."""
    tables = [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for table in tables:
        try:
            for _row in conn.execute(f'SELECT * FROM "{table}"'):
                pass
        except sqlite3.OperationalError as exc:
            if "decode" not in str(exc).lower():
                raise
            raise sqlite3.DatabaseError(
                f"integrity check failed: table {table} holds text that is not UTF-8 ({exc})"
            ) from exc


def _migrate(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"database schema {version} is newer than this program ({SCHEMA_VERSION})"
        )
    for target in range(version + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[target - 1].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _ensure_identity(conn: sqlite3.Connection, device_id: str) -> None:
    row = conn.execute("SELECT device_id FROM identity").fetchone()
    if row is None:
        import uuid  # once, when the database is created

        conn.execute(
            "INSERT INTO identity VALUES (1, ?, ?, ?)",
            (str(uuid.uuid4()), device_id, utc_now_iso()),
        )
    elif row["device_id"] != device_id:
        conn.execute("UPDATE identity SET device_id = ?", (device_id,))
