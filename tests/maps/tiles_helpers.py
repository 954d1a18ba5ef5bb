"""Tile files for tests, made here: solid-colour PNG tiles (written with zlib, no imaging
library) in MBTiles files, and the demo route area fetched from the reference server."""

from __future__ import annotations

import sqlite3
import struct
import zlib
from collections.abc import Iterable
from pathlib import Path

import httpx

from maps.mbtiles import tms_row
from maps.tilegrid import BBox, tiles_in
from tests.server.helpers import login

TILE_COLOUR = (250, 160, 30)


def png_tile(rgb: tuple[int, int, int] = TILE_COLOUR, size: int = 256) -> bytes:
    """A valid `size`×`size` RGB PNG of one colour with a dark 1 px border (tile edges)."""
    dark = bytes((40, 40, 40))
    fill = bytes(rgb)
    edge_row = b"\x00" + dark * size
    row = b"\x00" + dark + fill * (size - 2) + dark
    raw = edge_row + row * (size - 2) + edge_row

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def write_mbtiles(path: Path, tiles: Iterable[tuple[int, int, int, bytes]]) -> Path:
    """An MBTiles file (standard schema, TMS rows) holding the given XYZ tiles."""
    conn = sqlite3.connect(path)
    with conn:
        conn.executescript(
            "CREATE TABLE metadata (name TEXT, value TEXT);"
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER,"
            " tile_data BLOB);"
            "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);"
        )
        conn.executemany(
            "INSERT INTO metadata VALUES (?, ?)", [("name", "test tiles"), ("format", "png")]
        )
        conn.executemany(
            "INSERT INTO tiles VALUES (?, ?, ?, ?)",
            [(z, x, tms_row(z, y), data) for z, x, y, data in tiles],
        )
    conn.close()
    return path


def area_mbtiles(
    path: Path, area: BBox, min_zoom: int, max_zoom: int, data: bytes | None = None
) -> Path:
    """An MBTiles file covering `area` at every zoom in the range with one tile image."""
    data = data or png_tile()
    return write_mbtiles(path, ((z, x, y, data) for z, x, y in tiles_in(area, min_zoom, max_zoom)))


def demo_route_lines(base_url: str) -> list[list[tuple[float, float]]]:
    """The demo operator's assigned route today, as lines of (lon, lat), from the server."""
    with httpx.Client(base_url=base_url, timeout=10, trust_env=False) as http:
        headers = login(http)
        response = http.get("/api/v1/assignments/today", headers=headers)
    assert response.status_code == 200, response.text
    assignments = response.json()["assignments"]
    assert assignments, "the demo operator has no assignment today"
    features = assignments[0]["route"]["segments"]["features"]
    return [
        [(float(lon), float(lat)) for lon, lat in f["geometry"]["coordinates"]] for f in features
    ]
