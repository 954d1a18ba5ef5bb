"""The storage interface the server's modules are written against.

Two stores implement it: SQLite (`server.db`, the embedded default) and PostgreSQL
(`server.pg`, production). Handlers and domain modules see only these protocols: a
store hands out one read snapshot or one write transaction at a time, and inside it a
connection whose `execute` takes the SQLite dialect the modules are written in (`?`
placeholders, `INSERT OR IGNORE`, `rowid`, `json_extract`); the PostgreSQL adapter owns
the translation, so no handler carries a second dialect.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Literal, Protocol


class Row(Protocol):
    """A result row: by column name or position, like `sqlite3.Row`."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """What a unit of work may do: run statements (SQLite dialect, see module doc)."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Cursor: ...


class Store(Protocol):
    """One database: schema upkeep, and units of work on it."""

    @property
    def kind(self) -> Literal["sqlite", "postgresql"]: ...

    @property
    def description(self) -> str:
        """Where the data lives, for logs (never a password)."""
        ...

    def migrate(self) -> int: ...

    def read(self) -> AbstractContextManager[Connection]: ...

    def write(self) -> AbstractContextManager[Connection]: ...

    def epoch(self) -> str: ...

    def backup(self, destination: Path, /) -> int:
        """A consistent copy to a new file (SQLite); PostgreSQL says to use pg_dump."""
        ...

    def close(self) -> None: ...
