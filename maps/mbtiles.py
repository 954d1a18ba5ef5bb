"""MBTiles files: the bundled basemap (read-only) and the on-tablet tile cache (read-write).

Callers speak XYZ ("slippy map") coordinates, as Leaflet and tile servers do; MBTiles
stores rows in TMS order (row 0 at the south), so every read and write flips the row
here and nowhere else. A file that is missing, is not SQLite, or lacks the `tiles` table
raises `TileStoreError` with a sentence an operator can act on, never a bare sqlite
error. The cache adds one column, `fetched_at` (Unix seconds), so old tiles can be
refreshed; MBTiles readers that select the standard columns are unaffected.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


class TileStoreError(Exception):
    """A tile file cannot be used; `str(err)` says which file and what to do."""


def image_mime(data: bytes) -> str | None:
    """`image/png`, `image/jpeg` or `image/webp` judged from the bytes, or None."""
    if data.startswith(PNG_MAGIC):
        return "image/png"
    if data.startswith(JPEG_MAGIC):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def tms_row(zoom: int, y: int) -> int:
    """The MBTiles (TMS) row of XYZ row `y` at `zoom`; the flip is its own inverse."""
    return (1 << zoom) - 1 - y


def valid_tile(zoom: int, x: int, y: int) -> bool:
    return 0 <= zoom <= 24 and 0 <= x < (1 << zoom) and 0 <= y < (1 << zoom)


_CACHE_SCHEMA = """
CREATE TABLE IF NOT EXISTS metadata (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS tiles (
    zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL,
    tile_data BLOB NOT NULL, fetched_at REAL NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS tile_index ON tiles (zoom_level, tile_column, tile_row);
"""


class MBTiles:
    """One MBTiles file. `MBTiles.open_readonly(path)` or `MBTiles.open_cache(path)`.

    Safe to call from several threads (the URL scheme handler runs on the GUI thread,
    benchmarks and the prefetcher may not): one connection guarded by a lock.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, *, writable: bool) -> None:
        self.path = path
        self._conn = conn
        self._writable = writable
        self._lock = threading.Lock()
        self._has_fetched_at = writable or self._column_exists("fetched_at")

    @classmethod
    def open_readonly(cls, path: str | Path) -> MBTiles:
        """Open an existing file for reading; raises TileStoreError if unusable."""
        path = Path(path)
        if not path.is_file():
            raise TileStoreError(f"map tiles file {path} is missing")
        try:
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise TileStoreError(f"map tiles file {path} cannot be opened: {exc}") from exc
        store = cls._checked(path, conn, writable=False)
        return store

    @classmethod
    def open_cache(cls, path: str | Path, *, name: str = "sweepline tile cache") -> MBTiles:
        """Open (creating if needed) the tablet's writable tile cache."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_CACHE_SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(tiles)")}
            if "fetched_at" not in columns:
                conn.execute("ALTER TABLE tiles ADD COLUMN fetched_at REAL NOT NULL DEFAULT 0")
            for key, value in (("name", name), ("format", "png"), ("type", "baselayer")):
                conn.execute(
                    "INSERT OR IGNORE INTO metadata (name, value) VALUES (?, ?)", (key, value)
                )
            conn.commit()
        except (sqlite3.Error, OSError) as exc:
            raise TileStoreError(
                f"map tile cache {path} cannot be used ({exc}); move it aside to start afresh"
            ) from exc
        return cls._checked(path, conn, writable=True)

    @classmethod
    def _checked(cls, path: Path, conn: sqlite3.Connection, *, writable: bool) -> MBTiles:
        try:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'tiles' AND type IN ('table', 'view')"
            ).fetchone()
            if found is not None:
                conn.execute("SELECT tile_data FROM tiles LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            conn.close()
            raise TileStoreError(
                f"map tiles file {path} is damaged or not an MBTiles file ({exc})"
            ) from exc
        if found is None:
            conn.close()
            raise TileStoreError(f"map tiles file {path} is not an MBTiles file (no tiles table)")
        return cls(path, conn, writable=writable)

    def _column_exists(self, column: str) -> bool:
        try:
            return any(row[1] == column for row in self._conn.execute("PRAGMA table_info(tiles)"))
        except sqlite3.Error:
            return False

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def metadata(self) -> dict[str, str]:
        try:
            with self._lock:
                rows = self._conn.execute("SELECT name, value FROM metadata").fetchall()
        except sqlite3.Error:
            return {}
        return {str(k): str(v) for k, v in rows}

    def get_tile(self, zoom: int, x: int, y: int) -> bytes | None:
        """The stored bytes of XYZ tile z/x/y, or None if absent.

        Raises TileStoreError if the file went bad while open.
        """
        if not valid_tile(zoom, x, y):
            return None
        try:
            with self._lock:
                row = self._conn.execute(
                    "SELECT tile_data FROM tiles"
                    " WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                    (zoom, x, tms_row(zoom, y)),
                ).fetchone()
        except sqlite3.Error as exc:
            raise TileStoreError(f"map tiles file {self.path} cannot be read ({exc})") from exc
        return bytes(row[0]) if row is not None and row[0] is not None else None

    def fetched_at(
        self, tiles: Iterable[tuple[int, int, int]]
    ) -> dict[tuple[int, int, int], float]:
        """When each of the given XYZ tiles present in the file was stored (0 if unknown)."""
        wanted = list(tiles)
        out: dict[tuple[int, int, int], float] = {}
        column = "fetched_at" if self._has_fetched_at else "0"
        by_zoom: dict[int, list[tuple[int, int]]] = {}
        for z, x, y in wanted:
            by_zoom.setdefault(z, []).append((x, y))
        try:
            with self._lock:
                for z, cells in by_zoom.items():
                    xs = [x for x, _ in cells]
                    ys = [tms_row(z, y) for _, y in cells]
                    rows = self._conn.execute(
                        f"SELECT tile_column, tile_row, {column} FROM tiles WHERE zoom_level = ?"
                        " AND tile_column BETWEEN ? AND ? AND tile_row BETWEEN ? AND ?",
                        (z, min(xs), max(xs), min(ys), max(ys)),
                    ).fetchall()
                    for col, row, when in rows:
                        out[(z, int(col), tms_row(z, int(row)))] = float(when or 0)
        except sqlite3.Error as exc:
            raise TileStoreError(f"map tiles file {self.path} cannot be read ({exc})") from exc
        wanted_set = set(wanted)
        return {k: v for k, v in out.items() if k in wanted_set}

    def put_tile(
        self, zoom: int, x: int, y: int, data: bytes, *, fetched_at: float | None = None
    ) -> None:
        """Store XYZ tile z/x/y (replacing any older copy) and commit at once.

        Committing per tile is what lets a cut download resume exactly where it stopped.
        """
        if not self._writable:
            raise TileStoreError(f"map tiles file {self.path} is read-only")
        if not valid_tile(zoom, x, y):
            raise ValueError(f"no such tile {zoom}/{x}/{y}")
        when = time.time() if fetched_at is None else fetched_at
        try:
            with self._lock, self._conn:
                self._conn.execute(
                    "INSERT OR REPLACE INTO tiles"
                    " (zoom_level, tile_column, tile_row, tile_data, fetched_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (zoom, x, tms_row(zoom, y), sqlite3.Binary(data), when),
                )
        except sqlite3.Error as exc:
            raise TileStoreError(f"map tile cache {self.path} cannot be written ({exc})") from exc

    def tile_count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM tiles").fetchone()[0])

    def average_tile_bytes(self) -> float | None:
        """Mean stored tile size, or None for an empty file (used for download estimates)."""
        with self._lock:
            value = self._conn.execute("SELECT AVG(LENGTH(tile_data)) FROM tiles").fetchone()[0]
        return float(value) if value is not None else None


TileLookup = Callable[[int, int, int], bytes | None]


class TileStack:
    """Tiles looked up in order: the tablet cache first, then the bundled basemap.

    Sources that fail to open are left out and their messages kept in `problems`, so a
    corrupt cache never hides the basemap (and neither hides the vector streets).
    """

    def __init__(self, stores: Iterable[MBTiles] = (), problems: Iterable[str] = ()) -> None:
        self.stores = list(stores)
        self.problems = list(problems)

    @classmethod
    def open(
        cls, *, cache: str | Path | None = None, basemap: str | Path | None = None
    ) -> TileStack:
        stores: list[MBTiles] = []
        problems: list[str] = []
        if cache is not None:
            try:
                stores.append(MBTiles.open_cache(cache))
            except TileStoreError as exc:
                problems.append(str(exc))
        if basemap is not None:
            try:
                stores.append(MBTiles.open_readonly(basemap))
            except TileStoreError as exc:
                problems.append(str(exc))
        return cls(stores, problems)

    def get_tile(self, zoom: int, x: int, y: int) -> bytes | None:
        for store in self.stores:
            try:
                data = store.get_tile(zoom, x, y)
            except TileStoreError as exc:
                if str(exc) not in self.problems:
                    self.problems.append(str(exc))
                continue
            if data is not None:
                return data
        return None

    def close(self) -> None:
        for store in self.stores:
            store.close()
