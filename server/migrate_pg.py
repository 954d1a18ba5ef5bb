"""`python -m server migrate-to-postgres --from FILE.sqlite --to URL`: a pilot moves up.

Copies every table of a SQLite server database (facts, cursors, users, sessions,
devices, routes, assignments, forms, messages, areas, …) into a new PostgreSQL
database, in one transaction, keeping every row's identity: the database epoch (so the
tablets' pull cursors stay valid), `rowid` order (the facts feed and change log walk
it), and the token key (refresh tokens keep rotating). Before committing it compares,
table by table, the row count and a SHA-256 of every row's content in order; any
difference rolls the copy back. The SQLite file is first brought to the current schema
(as starting the server on it would) and is otherwise only read.

The target must be empty (freshly created); stop the SQLite server first so nothing is
written during the copy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

from server.db import Database
from server.dbapi import Connection
from server.pg import PgStore
from server.stores import is_postgres_url

# Parents before children (foreign keys are checked as rows arrive).
TABLES: Final = (
    "meta",
    "users",
    "tokens",
    "refresh_tokens",
    "devices",
    "routes",
    "segments",
    "assignments",
    "change_log",
    "clients",
    "streams",
    "facts",
    "segment_state",
    "forms",
    "messages",
    "message_recipients",
    "areas",
    "device_waiting",
)
BATCH: Final = 2000


class MigrationError(RuntimeError):
    pass


def _order_key(table: str) -> str:
    return "change_id" if table == "change_log" else "rowid"


def sqlite_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")]


def content_digest(rows: Iterable[Sequence[Any]]) -> tuple[int, str]:
    """(count, SHA-256) of rows in order; the same values give the same digest whichever
    store they came from (text, integers, floats, NULL)."""
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        count += 1
        digest.update(json.dumps([_plain(v) for v in row]).encode())
        digest.update(b"\n")
    return count, digest.hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return repr(value)
    return value


def table_digest(conn: Connection, table: str, columns: Sequence[str]) -> tuple[int, str]:
    cols = ", ".join(columns)
    return content_digest(conn.execute(f"SELECT {cols} FROM {table} ORDER BY {_order_key(table)}"))


def _pg_columns(conn: Connection, table: str) -> set[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", (table,)
    )
    return {str(row[0]) for row in rows}


def _check_tables(source: sqlite3.Connection) -> None:
    found = {
        str(row[0])
        for row in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    if found != set(TABLES):
        raise MigrationError(
            f"the SQLite file has tables {sorted(found - set(TABLES))} this migration does "
            f"not know, or lacks {sorted(set(TABLES) - found)}: use the matching server version"
        )


def copy_table(source: sqlite3.Connection, target: Connection, table: str) -> None:
    columns = sqlite_columns(source, table)
    with_rowid = "rowid" in _pg_columns(target, table) and "rowid" not in columns
    names = (["rowid"] if with_rowid else []) + columns
    select = ", ".join(["rowid"] * with_rowid + columns)
    insert = f"INSERT INTO {table}({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    cursor = source.execute(f"SELECT {select} FROM {table} ORDER BY {_order_key(table)}")
    while rows := cursor.fetchmany(BATCH):
        target.executemany(insert, [tuple(row) for row in rows])
    key = "rowid" if with_rowid else ("change_id" if table == "change_log" else None)
    if key is not None:  # new rows continue after the copied ones
        target.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{key}'),"
            f" COALESCE((SELECT MAX({key}) FROM {table}), 0) + 1, false)"
        )


def migrate(source_path: Path, url: str, out: Any = sys.stdout) -> dict[str, tuple[int, str]]:
    """Copy and verify; returns {table: (rows, sha256)}. Raises MigrationError."""
    if not source_path.is_file():
        raise MigrationError(f"no SQLite database at {source_path}")
    Database(source_path).migrate()
    target = PgStore(url, pool_size=2)
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        target.migrate()
        _check_tables(source)
        source.execute("BEGIN")  # one snapshot of the source for copy and check
        with target.write() as conn:
            busy = [
                t
                for t in TABLES
                if t != "meta" and conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()
            ]
            if busy:
                raise MigrationError(
                    f"{target.description} already holds data (in {', '.join(busy)}): "
                    "migrate into a new, empty database"
                )
            conn.execute("DELETE FROM meta")  # the source's epoch and keys replace these
            results: dict[str, tuple[int, str]] = {}
            for table in TABLES:
                copy_table(source, conn, table)
                columns = sqlite_columns(source, table)
                want = table_digest(source, table, columns)
                got = table_digest(conn, table, columns)
                if want != got:
                    raise MigrationError(
                        f"{table}: copied {got[0]} rows (sha256 {got[1][:12]}…) but the "
                        f"source has {want[0]} (sha256 {want[1][:12]}…); nothing was kept"
                    )
                results[table] = got
                print(f"{table:<20}{got[0]:>9} rows  sha256 {got[1][:16]}  equal", file=out)
        return results
    finally:
        source.close()
        target.close()


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m server migrate-to-postgres",
        description="Copy a SQLite server database into a new PostgreSQL database and "
        "verify every table's row count and content hash.",
    )
    parser.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE")
    parser.add_argument("--to", dest="url", required=True, metavar="URL")
    args = parser.parse_args(argv)
    if not is_postgres_url(args.url):
        parser.error(f"--to must be a postgresql:// URL, not {args.url!r}")
    try:
        migrate(args.source, args.url)
    except MigrationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("migrated: every table's row count and content hash are equal")
    return 0
