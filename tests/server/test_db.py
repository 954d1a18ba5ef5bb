"""Database durability settings and migrations. The durability check reads SQLite's own
settings (PRAGMA: WAL, synchronous FULL) and stays SQLite-only; the rest runs on both
stores."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from server.db import SCHEMA_VERSION, Database, SchemaTooNewError
from server.dbapi import Store
from server.stores import is_postgres_url
from tests.server.conftest import NewStore
from tests.server.helpers import opened


def test_new_database_is_wal_full_and_current(tmp_path: Path) -> None:
    db = Database(tmp_path / "s.db")
    assert db.migrate() == 0
    with db.read() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.migrate() == SCHEMA_VERSION


def test_write_rolls_back_on_error(store: Store) -> None:
    def failing_write() -> None:
        with store.write() as conn:
            conn.execute("INSERT INTO meta(key, value) VALUES ('x', 'y')")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_write()
    with store.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM meta WHERE key = 'x'").fetchone()[0] == 0


def _stamp_version(target: str | Path, version: int) -> None:
    """Mark the schema as a newer server left it (each store keeps the number its way)."""
    if is_postgres_url(target):
        with psycopg.connect(str(target), autocommit=True) as pg:
            pg.execute("UPDATE schema_version SET version = %s", (version,))
        return
    conn = sqlite3.connect(target)
    try:
        conn.execute(f"PRAGMA user_version = {version}")
    finally:
        conn.close()


def test_database_from_a_newer_server_is_refused(new_store: NewStore) -> None:
    target = new_store()
    with opened(target) as store:
        store.migrate()
    _stamp_version(target, SCHEMA_VERSION + 1)
    with opened(target) as store, pytest.raises(SchemaTooNewError):
        store.migrate()


def test_epoch_is_stable_per_database(new_store: NewStore) -> None:
    with opened(new_store()) as a, opened(new_store()) as b:
        a.migrate()
        b.migrate()
        assert a.epoch() == a.epoch()
        assert a.epoch() != b.epoch()
