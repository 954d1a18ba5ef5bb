"""A damaged tablet database: set aside, a fresh one started, the unsynced work carried over.

When the database fails at start (a truncated file, a flipped byte, text that no longer
decodes), the file and its WAL are renamed aside, never deleted, and a fresh database
is created; the route comes back with the next pull. What the tablet recorded but never
uploaded must not stay behind in the set-aside file, so its pending facts, buffered GPS
fixes and the coverage of today's passes are read from a copy of it (the copy replays
the WAL without touching the evidence), each row decoded and its content hash checked,
and brought into the fresh file in one transaction. A row that cannot be read is
skipped with a log line.

When every unsynced fact was read and the numbers have no gap, the fresh file keeps the
old client id and numbering, so facts the server already has (a lost reply) are
answered `duplicate`. Otherwise they are re-stamped under the fresh client id, as after
a database that went back in time. The recovery is recorded in the fresh file (kv
`storage_recovery`) for the `storage_recovered` fact that tells the supervisor.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from client.db import open_database
from wire.protocol import STREAMS, content_hash

log = logging.getLogger("sweepline.store")

RECOVERY_KEY: Final = "storage_recovery"
_OUTBOX_COLUMNS: Final = (
    "client_id, stream, stream_seq, type, event_id, payload, sha256, assignment_version,"
    " device_time, gps_time, item_count"
)


@dataclass(frozen=True, slots=True)
class Recovery:
    """What happened to a damaged database, in the terms the operator and supervisor see."""

    set_aside: Path
    reason: str
    recovered_events: int = 0
    recovered_fixes: int = 0
    unreadable: int = 0
    # Part of the old file could not be read at all: how much is unknown.
    incomplete: bool = False
    same_identity: bool = False

    def notice(self) -> str:
        """Plain words for the operator's status strip."""
        text = (
            "The tablet's database was damaged and has been set aside as "
            f"{self.set_aside.name}; a fresh one was started and your route is downloaded "
            f"again. {self.recovered_events} unsent records and {self.recovered_fixes} GPS "
            "positions were recovered."
        )
        if self.unreadable or self.incomplete:
            what = f"{self.unreadable} record(s)" if self.unreadable else "Some records"
            text += f" {what} could not be read (kept in the set-aside file)."
        return text + " Tell your supervisor."

    def fact(self) -> dict[str, Any]:
        """The `storage_recovered` fact's payload."""
        return {
            "set_aside": self.set_aside.name,
            "reason": self.reason[:500],
            "recovered_events": self.recovered_events,
            "recovered_fixes": self.recovered_fixes,
            "unreadable": self.unreadable,
            "incomplete": self.incomplete,
        }


def is_damage(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return any(
        word in text
        for word in ("not a database", "malformed", "corrupt", "integrity check failed")
    )


def open_or_recover(path: Path, device_id: str) -> tuple[sqlite3.Connection, Recovery | None]:
    """Open the database; if it is damaged, set it aside and recover into a fresh one.

    A failure that is not damage (a locked file, no permission) is raised as it is."""
    try:
        return open_database(path, device_id), None
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise
        reason = str(exc)
    aside = set_aside(path)
    log.error("local database damaged (%s); kept as %s", reason, aside)
    conn = open_database(path, device_id)
    try:
        recovery = _recover(aside, conn, reason)
    except BaseException:
        conn.close()
        raise
    log.warning(
        "recovered %d unsynced facts and %d fixes from %s (%d unreadable%s)",
        recovery.recovered_events,
        recovery.recovered_fixes,
        aside.name,
        recovery.unreadable,
        ", part of the file unreadable" if recovery.incomplete else "",
    )
    return conn, recovery


def set_aside(path: Path) -> Path:
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


@dataclass
class _Found:
    client_id: str | None = None
    counters: dict[str, tuple[int, int]] | None = None
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    fixes: list[tuple[int | None, str]] = field(default_factory=list)
    coverage: list[tuple[str, str, bytes, str | None]] = field(default_factory=list)
    unreadable: int = 0
    incomplete: bool = False


def _recover(aside: Path, conn: sqlite3.Connection, reason: str) -> Recovery:
    found = _Found()
    with tempfile.TemporaryDirectory(prefix="sweepline-salvage-") as tmp:
        copy = Path(tmp) / "copy.sqlite"
        shutil.copyfile(aside, copy)
        wal = aside.with_name(aside.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        try:
            old = sqlite3.connect(copy)
        except sqlite3.Error as exc:
            log.warning("the set-aside database cannot be opened at all: %s", exc)
            found.incomplete = True
        else:
            try:
                old.text_factory = bytes
                _read(old, found)
            finally:
                old.close()
    same = _keeps_identity(found)
    with _transaction(conn):
        _write(conn, found, same)
        recovery = Recovery(
            set_aside=aside,
            reason=reason,
            recovered_events=sum(1 for r in found.rows if r[1] == "events"),
            recovered_fixes=len(found.fixes) + sum(int(r[10]) for r in found.rows if r[1] == "gps"),
            unreadable=found.unreadable,
            incomplete=found.incomplete,
            same_identity=same,
        )
        conn.execute(
            "INSERT INTO kv VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (RECOVERY_KEY, json.dumps({"fact": recovery.fact(), "reported": False})),
        )
    return recovery


def _rows(old: sqlite3.Connection, sql: str, found: _Found, what: str) -> Iterator[Any]:
    """Rows of `sql`, stopping (and saying so) where the file can no longer be read."""
    try:
        yield from old.execute(sql)
    except sqlite3.DatabaseError as exc:
        log.warning("the set-aside database's %s could not be read past this point: %s", what, exc)
        found.incomplete = True


# Consecutive unreadable row ids after which a table with no known end is given up.
_MAX_MISSES: Final = 10_000


def _stepping(
    old: sqlite3.Connection, table: str, columns: str, where: str, found: _Found
) -> Iterator[Any]:
    """Rows of `table` in row-id order, stepping over pages that cannot be read: a bad
    page loses the rows on it, not every row after it."""
    try:
        top_row = old.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
        top = None if top_row is None else int(top_row[0])
    except (sqlite3.DatabaseError, TypeError, ValueError):
        top = None
    after, limit, misses = 0, 256, 0
    while True:
        try:
            batch = old.execute(
                f"SELECT rowid, {columns} FROM {table} WHERE rowid > ? {where}"
                " ORDER BY rowid LIMIT ?",
                (after, limit),
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            if limit > 1:
                limit = 1  # find the first row that cannot be read
                continue
            if not found.incomplete:
                log.warning("skipped unreadable pages of the set-aside %s: %s", table, exc)
            found.incomplete = True
            after += 1
            misses += 1
            if (top is not None and after >= top) or misses > _MAX_MISSES:
                return
            continue
        if not batch:
            return
        misses, limit = 0, 256
        after = int(batch[-1][0])
        for row in batch:
            yield row[1:]


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")  # strict: a flipped byte is a UnicodeDecodeError
    if isinstance(value, str):
        return value
    raise ValueError(f"expected text, found {type(value).__name__}")


def _read(old: sqlite3.Connection, found: _Found) -> None:
    for (client_id,) in _rows(old, "SELECT client_id FROM identity", found, "identity"):
        try:
            found.client_id = _text(client_id)
        except ValueError:
            log.warning("skipped the set-aside database's client id: not readable")
    counters = {}
    for stream, last, acked in _rows(
        old, "SELECT stream, last_seq, acked_seq FROM stream_counter", found, "counters"
    ):
        try:
            counters[_text(stream)] = (int(last), int(acked))
        except (ValueError, TypeError):
            log.warning("skipped an unreadable stream counter in the set-aside database")
    found.counters = counters if set(counters) == set(STREAMS) else None
    pending = list(_stepping(old, "outbox", _OUTBOX_COLUMNS, "AND state = 'pending'", found))
    # Numbered per stream: the order they were recorded in, and will be sent in.
    pending.sort(key=lambda r: (str(r[1]), r[2] if isinstance(r[2], int) else 0))
    for raw in pending:
        row = _fact(raw)
        if row is None:
            found.unreadable += 1
            log.warning("skipped an unsynced fact that cannot be read: %r", raw[1:4])
            continue
        found.rows.append(row)
    for fix_id, version, fix in _stepping(
        old, "fix_buffer", "id, assignment_version, fix", "", found
    ):
        try:
            text = _text(fix)
            json.loads(text)
            found.fixes.append((None if version is None else int(version), text))
        except ValueError:
            found.unreadable += 1
            log.warning("skipped buffered GPS fix #%s: it cannot be read", fix_id)
    for assignment_id, segment_id, covered, swept_at in _rows(
        old,
        "SELECT assignment_id, segment_id, covered, swept_at FROM segment_coverage",
        found,
        "coverage",
    ):
        try:
            when = None if swept_at is None else _text(swept_at)
            if not isinstance(covered, bytes):
                raise ValueError("coverage is not a blob")
            found.coverage.append((_text(assignment_id), _text(segment_id), covered, when))
        except ValueError:
            log.warning("skipped coverage of one segment: it cannot be read")


def _fact(raw: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """One pending outbox row, decoded and checked against its own hash (None: unreadable)."""
    try:
        client_id, stream, seq, type_, event_id, payload, sha, version, device, gps, count = raw
        texts = [_text(v) if v is not None else None for v in (event_id, device, gps)]
        payload_text, stream_text, type_text = _text(payload), _text(stream), _text(type_)
        expected = content_hash(
            stream=stream_text,
            type=type_text,
            payload=json.loads(payload_text),
            assignment_version=None if version is None else int(version),
            device_time=texts[1],
            gps_time=texts[2],
            id=texts[0],
        )
        if expected != _text(sha) or stream_text not in STREAMS:
            return None
        return (
            _text(client_id),
            stream_text,
            int(seq),
            type_text,
            texts[0],
            payload_text,
            expected,
            None if version is None else int(version),
            texts[1],
            texts[2],
            int(count),
        )
    except (ValueError, TypeError):
        return None


def _keeps_identity(found: _Found) -> bool:
    """Every unsynced fact was read and the numbering has no gap: carry on under the old
    client id, so the server can answer a resend `duplicate`."""
    if found.client_id is None or found.counters is None or found.unreadable or found.incomplete:
        return False
    if any(r[0] != found.client_id for r in found.rows):
        return False
    for stream in STREAMS:
        last, acked = found.counters[stream]
        seqs = [r[2] for r in found.rows if r[1] == stream]
        first = seqs[0] if seqs else last + 1
        # Rows up to `acked` were answered; every one after it must be here.
        if first > acked + 1 or seqs != list(range(first, last + 1)):
            return False
    return True


def _write(conn: sqlite3.Connection, found: _Found, same: bool) -> None:
    if same and found.client_id is not None and found.counters is not None:
        conn.execute("UPDATE identity SET client_id = ?", (found.client_id,))
        for stream, (last, acked) in found.counters.items():
            conn.execute(
                "UPDATE stream_counter SET last_seq = ?, acked_seq = ? WHERE stream = ?",
                (last, acked, stream),
            )
        rows = found.rows
    else:
        client_id = conn.execute("SELECT client_id FROM identity").fetchone()[0]
        rows = []
        for stream in STREAMS:
            mine = [r for r in found.rows if r[1] == stream]
            rows += [(client_id, stream, n, *r[3:]) for n, r in enumerate(mine, 1)]
            conn.execute(
                "UPDATE stream_counter SET last_seq = ?, acked_seq = 0 WHERE stream = ?",
                (len(mine), stream),
            )
    conn.executemany(
        f"INSERT INTO outbox ({_OUTBOX_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
    )
    conn.executemany("INSERT INTO fix_buffer (assignment_version, fix) VALUES (?, ?)", found.fixes)
    conn.executemany("INSERT OR REPLACE INTO segment_coverage VALUES (?, ?, ?, ?)", found.coverage)


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT on a connection no Store owns yet."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
