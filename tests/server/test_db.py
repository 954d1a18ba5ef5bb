"""Database durability settings and migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from server.db import SCHEMA_VERSION, Database, SchemaTooNewError


def test_new_database_is_wal_full_and_current(tmp_path: Path) -> None:
    db = Database(tmp_path / "s.db")
    assert db.migrate() == 0
    with db.read() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.migrate() == SCHEMA_VERSION


def test_write_rolls_back_on_error(tmp_path: Path) -> None:
    db = Database(tmp_path / "s.db")
    db.migrate()

    def failing_write() -> None:
        with db.write() as conn:
            conn.execute("INSERT INTO meta(key, value) VALUES ('x', 'y')")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_write()
    with db.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM meta WHERE key = 'x'").fetchone()[0] == 0


def test_database_from_a_newer_server_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    finally:
        conn.close()
    with pytest.raises(SchemaTooNewError):
        Database(path).migrate()


def test_epoch_is_stable_per_database(tmp_path: Path) -> None:
    a, b = Database(tmp_path / "a.db"), Database(tmp_path / "b.db")
    a.migrate()
    b.migrate()
    assert a.epoch() == a.epoch()
    assert a.epoch() != b.epoch()
