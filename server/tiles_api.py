"""Map tiles for the tablets' offline cache: `GET /api/v1/tiles/{z}/{x}/{y}.png`.

Served from the MBTiles file named in `Settings.tiles_mbtiles` (XYZ in the URL, TMS rows
in the file, flipped here). Tiles are public map data (OpenStreetMap-derived), so no
login is asked; a tablet prefetches them for its routes while it has signal. No file
configured, or no such tile, is a 404; a file that cannot be read is a 503 naming the
problem, never a traceback. Stored bytes are served as they are.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from fastapi import APIRouter, Request, status
from fastapi.responses import Response

from server.errors import ApiError
from server.logs import log_event
from server.schemas import ErrorResponse

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1", tags=["tiles"])

_MAX_ZOOM = 22
_IMAGE_TYPES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def _read_tile(path: Path, z: int, x: int, y: int) -> bytes | None:
    if not path.is_file():
        raise ApiError(status.HTTP_503_SERVICE_UNAVAILABLE, "the tile file is missing")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute(
                "SELECT tile_data FROM tiles"
                " WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (z, x, (1 << z) - 1 - y),
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        log_event(log, logging.ERROR, "tiles_unreadable", path=str(path), error=str(exc))
        raise ApiError(status.HTTP_503_SERVICE_UNAVAILABLE, "the tile file cannot be read") from exc
    return bytes(row[0]) if row is not None and row[0] is not None else None


@router.get(
    "/tiles/{z}/{x}/{y}.png",
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}}, "description": "the tile image"},
        404: {"model": ErrorResponse},
        503: {"model": ErrorResponse},
    },
)
def get_tile(z: int, x: int, y: int, request: Request) -> Response:
    """One 256 px map tile in XYZ ("slippy map") numbering."""
    source = request.app.state.settings.tiles_mbtiles
    if not source:
        raise ApiError(status.HTTP_404_NOT_FOUND, "this server has no map tiles configured")
    if not (0 <= z <= _MAX_ZOOM and 0 <= x < (1 << z) and 0 <= y < (1 << z)):
        raise ApiError(status.HTTP_404_NOT_FOUND, f"no tile {z}/{x}/{y}: outside the map")
    data = _read_tile(Path(source), z, x, y)
    if data is None:
        raise ApiError(status.HTTP_404_NOT_FOUND, f"no tile {z}/{x}/{y}")
    # Bytes go out as stored: this is a plain tile server, and judging images is the
    # tablet's job (it must cope with any city server's tiles anyway).
    media = next(
        (mime for magic, mime in _IMAGE_TYPES if data.startswith(magic)),
        "application/octet-stream",
    )
    return Response(data, media_type=media, headers={"Cache-Control": "public, max-age=86400"})
