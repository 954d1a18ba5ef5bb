"""The PostgreSQL store (production): the same schema, migrations and units of work as
the SQLite file (server/db.py), for several server processes sharing one database.

Semantics kept from SQLite:
- durability: PostgreSQL's default `synchronous_commit = on` (a returned COMMIT is on
  disk, as SQLite's `synchronous=FULL`);
- one writer at a time: each write transaction first takes one transaction-scoped
  advisory lock, so the change log's order and every check-then-write stay exactly as
  serial as under SQLite's `BEGIN IMMEDIATE`, across all server processes. A push of
  fixes (`client_write(serial=False)`) holds that lock only for its last step: it takes
  a lock of its own client first (its high-water mark's read-then-write), does its reads
  and checks beside other clients' pushes, and sends its writes, the global lock and
  COMMIT in one pipeline, so the lock is held for the database's own work and never
  while a Python thread waits for the GIL; rows still take their `rowid` in commit order;
- reads see one snapshot (`REPEATABLE READ`, as a WAL read transaction);
- `rowid` order: every table has an explicit `rowid` identity column (server.pg_dialect).

Connections come from a `psycopg_pool` pool, in autocommit mode so that BEGIN/COMMIT
are explicit as in server/db.py.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import psycopg
from psycopg.abc import AdaptContext
from psycopg.adapt import Dumper
from psycopg.pq import Format
from psycopg_pool import ConnectionPool, PoolTimeout

from server.db import MIGRATIONS, SchemaTooNewError
from server.dbapi import Cursor
from server.pg_dialect import translate, translate_ddl

# Any fixed number: the key of the advisory lock every write transaction takes.
WRITE_LOCK_KEY: Final = 0x5357_4545_50  # "SWEEP"
MIGRATE_LOCK_KEY: Final = WRITE_LOCK_KEY + 1
# The first key of the two-key advisory lock a push holds on its client (a separate
# space from the one-key locks above).
CLIENT_LOCK_CLASS: Final = 0x5357

# Migration 2 rebuilds `users` to widen a CHECK (SQLite cannot alter one); PostgreSQL
# alters it in place (and cannot drop a table other tables reference).
_USERS_REBUILD: Final = 4
_PG_USERS_V2: Final = (
    "ALTER TABLE users DROP CONSTRAINT users_role_check",
    "ALTER TABLE users ADD CONSTRAINT users_role_check"
    " CHECK (role IN ('operator', 'supervisor', 'admin'))",
    "ALTER TABLE users ADD COLUMN disabled BIGINT NOT NULL DEFAULT 0",
)


# Errors meaning "the database cannot be reached now" (answered 503, server.errors).
UNAVAILABLE: Final[tuple[type[Exception], ...]] = (psycopg.OperationalError, PoolTimeout)


def pg_migrations() -> list[list[str]]:
    """server.db.MIGRATIONS in PostgreSQL's dialect (random literals drawn now)."""
    out = [[translate_ddl(s) for s in statements] for statements in MIGRATIONS]
    out[1] = list(_PG_USERS_V2) + out[1][_USERS_REBUILD:]
    return out


def redacted(url: str) -> str:
    """The URL without its password (for logs and messages)."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


class PgRow:
    """A row by column name or position, like sqlite3.Row."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: Sequence[Any]) -> None:
        self._index = index
        self._values = values

    def __getitem__(self, key: Any, /) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._index)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _row_factory(cursor: Any) -> Any:
    names = [c.name for c in cursor.description or ()]
    index = {name: i for i, name in enumerate(names)}

    def make(values: Sequence[Any]) -> PgRow:
        return PgRow(index, values)

    return make


class _BoolAsInt(Dumper):
    """SQLite stores Python booleans as 0/1 in INTEGER columns; so does this store."""

    oid = psycopg.adapters.types["int8"].oid
    format = Format.TEXT

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class PgConnection:
    """One pooled connection, speaking the modules' dialect (server.pg_dialect)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def execute(self, sql: str, parameters: Any = (), /) -> Cursor:
        params = list(parameters) if parameters else None
        return self._conn.execute(translate(sql, params is not None), params)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Cursor:
        cursor = self._conn.cursor()
        cursor.executemany(translate(sql, True), [list(p) for p in parameters])
        return cursor


def client_lock_key(client_id: str) -> int:
    """The second key of `client_id`'s lock: a stable 32-bit hash (a collision only makes
    two clients' pushes wait for each other)."""
    return zlib.crc32(client_id.encode("utf-8")) - 2**31


class PgClientUnit(PgConnection):
    """A `client_write` unit: writes deferred to the commit pipeline unless `serial`."""

    def __init__(self, conn: psycopg.Connection[Any], *, serial: bool) -> None:
        super().__init__(conn)
        self.deferred: list[tuple[str, list[Any]]] | None = None if serial else []
        self.callbacks: list[Callable[[], None]] = []

    def defer(self, sql: str, parameters: Sequence[Any] = (), /) -> None:
        if self.deferred is None:
            self.execute(sql, parameters)
        else:
            self.deferred.append((translate(sql, True), list(parameters)))

    def after_commit(self, callback: Callable[[], None], /) -> None:
        self.callbacks.append(callback)


def _configure(conn: psycopg.Connection[Any]) -> None:
    context: AdaptContext = conn
    context.adapters.register_dumper(bool, _BoolAsInt)
    conn.row_factory = _row_factory


class PgStore:
    """Units of work on one PostgreSQL database (see module doc)."""

    def __init__(self, url: str, *, pool_size: int = 16) -> None:
        self.url = url
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True},
            configure=_configure,
            open=True,
            name="sweepline",
        )

    kind: Final = "postgresql"

    @property
    def description(self) -> str:
        return redacted(self.url)

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[PgConnection]:
        with self._pool.connection() as raw:
            raw.execute(begin)
            try:
                yield PgConnection(raw)
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator[PgConnection]:
        """One write transaction, serialised with every other writer (module doc)."""
        # One round trip: the lock is taken as the transaction starts (no parameters, so
        # psycopg sends both statements together).
        with self._transaction(f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})") as conn:
            yield conn

    @contextmanager
    def client_write(self, client_id: str, *, serial: bool) -> Iterator[PgClientUnit]:
        """A push's unit (server.dbapi.Store.client_write; module doc)."""
        # Literal integers only, so both locks go with BEGIN in one round trip.
        key = client_lock_key(client_id)
        begin = f"BEGIN; SELECT pg_advisory_xact_lock({CLIENT_LOCK_CLASS}, {key})"
        if serial:
            begin += f"; SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"
        with self._pool.connection() as raw:
            raw.execute(begin)
            unit = PgClientUnit(raw, serial=serial)
            try:
                yield unit
                if unit.deferred is None:
                    raw.execute("COMMIT")
                else:
                    with raw.pipeline():
                        raw.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
                        for sql, parameters in unit.deferred:
                            raw.execute(sql, parameters)
                        raw.execute("COMMIT")
            except BaseException:
                raw.execute("ROLLBACK")
                raise
        for callback in unit.callbacks:
            callback()

    def read_one(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        with self._pool.connection() as raw:
            return PgConnection(raw).execute(sql, parameters).fetchone()

    @contextmanager
    def read(self) -> Iterator[PgConnection]:
        """One read-only snapshot."""
        with self._transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") as conn:
            yield conn

    def migrate(self) -> int:
        """Bring the schema to the current version; returns the version found before."""
        with self._pool.connection() as raw:
            raw.execute("BEGIN")
            try:
                raw.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK_KEY,))
                raw.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
                row = raw.execute("SELECT version FROM schema_version").fetchone()
                found = 0 if row is None else int(row[0])
                migrations = pg_migrations()
                if found > len(migrations):
                    raise SchemaTooNewError(
                        f"{self.description} has schema version {found}; this server knows"
                        f" up to {len(migrations)}"
                    )
                for statements in migrations[found:]:
                    for statement in statements:
                        raw.execute(statement)
                raw.execute("DELETE FROM schema_version")
                raw.execute("INSERT INTO schema_version VALUES (%s)", (len(migrations),))
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")
        return found

    def backup(self, destination: Path, /) -> int:
        raise ValueError(
            "backup copies a SQLite file; back up PostgreSQL with pg_dump (docs/deploy.md)"
        )

    def epoch(self) -> str:
        with self.read() as conn:
            return str(conn.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()[0])
