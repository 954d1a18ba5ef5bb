"""The storage interface the server's modules are written against.

Two stores implement it: SQLite (`server.db`, the embedded default) and PostgreSQL
(`server.pg`, production). Handlers and domain modules see only these protocols: a
store hands out one read snapshot or one write transaction at a time, and inside it a
connection whose `execute` takes the SQLite dialect the modules are written in (`?`
placeholders, `INSERT OR IGNORE`, `rowid`, `json_extract`); the PostgreSQL adapter owns
the translation, so no handler carries a second dialect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
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


class ClientConnection(Connection, Protocol):
    """The connection of a `Store.client_write` unit."""

    def defer(self, sql: str, parameters: Sequence[Any] = (), /) -> None:
        """A write whose effect nothing later in this unit reads: the store may hold it
        back and run it with the commit (see `Store.client_write`)."""
        ...

    def after_commit(self, callback: Callable[[], None], /) -> None:
        """Call `callback` once the unit has committed (never if it rolls back)."""
        ...


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

    def client_write(
        self, client_id: str, *, serial: bool
    ) -> AbstractContextManager[ClientConnection]:
        """One write transaction for one tablet client's facts (a push).

        Units for the same `client_id` run one at a time from start to end, so a push's
        read of its high-water mark and the write that advances it cannot interleave with
        another push of the same client. `serial=True`: the unit is also serialised with
        every other writer from start to end, as `write()` is (a push whose facts fold
        into shared state such as `segment_state`). `serial=False`: the unit reads as it
        likes but writes only through `defer`; the deferred writes run at commit,
        serialised with every other writer, so the rows they insert are numbered (rowid)
        in commit order while many clients' checks run side by side.
        """
        ...

    def read_one(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        """The first row of one query (None: no row), outside any unit of work: a single
        statement sees one snapshot by itself, and costs one round trip."""
        ...

    def epoch(self) -> str: ...

    def backup(self, destination: Path, /) -> int:
        """A consistent copy to a new file (SQLite); PostgreSQL says to use pg_dump."""
        ...

    def close(self) -> None: ...
