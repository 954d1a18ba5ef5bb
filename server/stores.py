"""Which store a server runs on: a `postgresql://` URL opens PostgreSQL (server.pg),
anything else is the path of a SQLite file (server.db)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from server.db import Database
from server.dbapi import Store

SCHEMES: Final = ("postgresql://", "postgres://")


def is_postgres_url(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(SCHEMES)


def open_store(target: str | Path, *, pool_size: int = 16) -> Store:
    """The store `target` names, not yet migrated. psycopg is imported only here, for a
    PostgreSQL URL: a SQLite server (the demo, a pilot) does not need it installed."""
    if is_postgres_url(target):
        from server.pg import PgStore

        return PgStore(str(target), pool_size=pool_size)
    return Database(target)
