"""The child of the power-cut test: commits outbox rows through a VFS that records fsyncs.

`python -m tests.sync.powercut_child DB_PATH [SYNCHRONOUS]`: opens the database with
apsw through `PowerCutVFS`, applies client.db's durability pragmas (or overrides
`synchronous`, for the control run) and migrations, then commits outbox rows one
transaction each, the way `client.outbox` does, printing each confirmed number. Every
xSync copies the file as it is on disk to `<file>.durable`: that copy is what a power
cut would leave. The parent kills this process at a random moment.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import apsw

from client.db import DURABILITY_PRAGMAS, MIGRATIONS


class PowerCutFile(apsw.VFSFile):  # type: ignore[misc]
    def __init__(self, name: Any, flags: list[int]) -> None:
        super().__init__("", name, flags)
        self.path = name.filename() if isinstance(name, apsw.URIFilename) else str(name)

    def xSync(self, flags: int) -> None:
        super().xSync(flags)
        if Path(self.path).exists():
            shutil.copyfile(self.path, self.path + ".durable.tmp")
            Path(self.path + ".durable.tmp").replace(self.path + ".durable")


class PowerCutVFS(apsw.VFS):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__("powercut", "")

    def xOpen(self, name: Any, flags: list[int]) -> PowerCutFile:
        return PowerCutFile(name, flags)


def main(db_path: str, synchronous: str | None) -> None:
    vfs = PowerCutVFS()
    conn = apsw.Connection(db_path, vfs="powercut")
    assert vfs is not None  # keep the VFS registered while the connection lives
    for pragma in DURABILITY_PRAGMAS:
        if synchronous and pragma.lower().startswith("pragma synchronous"):
            pragma = f"PRAGMA synchronous={synchronous}"
        conn.execute(pragma)
    if conn.execute("PRAGMA user_version").fetchall()[0][0] == 0:
        for n, migration in enumerate(MIGRATIONS, start=1):
            with conn:
                conn.execute(migration)
                conn.execute(f"PRAGMA user_version = {n}")
        with conn:
            conn.execute("INSERT INTO identity VALUES (1, 'client', 'dev', 'now')")
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE stream_counter SET last_seq = last_seq + 1 WHERE stream = 'events'")
        conn.execute(
            "INSERT INTO outbox (client_id, stream, stream_seq, type, payload, sha256,"
            " device_time) SELECT 'client', 'events', last_seq, 'note', ?, 'h', 'now'"
            " FROM stream_counter WHERE stream = 'events'",
            (f'{{"n":{n}}}',),
        )
        conn.execute("COMMIT")
        print(n, flush=True)  # the UI's "saved": only after COMMIT returned


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
