"""The map page: a folium map that loads only bundled Leaflet and carries its own CSP.

folium writes the Leaflet boilerplate; we strip its CDN defaults (jQuery, Bootstrap,
Font Awesome, awesome-markers, Leaflet from jsDelivr) down to the bundled Leaflet served
by the app's URL scheme, add no tile layer, embed our own script and styles (the files in
`maps/page/`, read by `maps.page_script`), and pin every inline script and style with a
SHA-256 hash in a Content-Security-Policy so nothing else can run or load.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maps.assets import (
    BASEMAP_ATTRIBUTION,
    LEAFLET_URL,
    RESOURCES_DIR,
    SCHEME,
    TILE_URL_TEMPLATE,
    WEBCHANNEL_URL,
)
from maps.page_script import (
    STATE_COLOURS,
    STATE_DASHES,
    TRAIL_MAX_POINTS,
    page_css,
    page_js,
)

# Street level: Leaflet asks for tiles up to here; beyond the cache the streets show.
MAX_ZOOM = 19
LEAFLET_JS = [("leaflet", f"{LEAFLET_URL}leaflet.js"), ("qwebchannel", WEBCHANNEL_URL)]
LEAFLET_CSS = [("leaflet_css", f"{LEAFLET_URL}leaflet.css")]

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_INLINE_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_CHARSET_META = re.compile(r'<meta http-equiv="content-type"[^>]*>')
# folium names the map `map_<random hex>`; a fixed id makes the page reproducible, so it
# can be rendered once at build time (see `prerendered_page`).
_MAP_ID = "sweepline"
DEFAULT_CENTER = (43.4643, -80.5204)
DEFAULT_ZOOM = 14
# The stored pages are build outputs; this says so to whoever finds a script in one.
GENERATED_NOTE = (
    "<!-- Rendered by maps/page.py from maps/page/*.js and maps/page/*.css:"
    " edit those, not this page. -->"
)
# Pages rendered by `python -m maps.page`, named by the hash of their inputs.
PRERENDERED_DIR = RESOURCES_DIR / "map_page"


def _page_script(map_name: str, tiles: TileLayerConfig | None) -> str:
    tiles_json = json.dumps(tiles.to_json() if tiles is not None else None)
    return (
        page_js()
        .replace("__COLOURS__", json.dumps(STATE_COLOURS))
        .replace("__DASHES__", json.dumps(STATE_DASHES))
        .replace("__TILES__", tiles_json.replace("</", "<\\/"))
        .replace("__TRAIL_MAX__", str(TRAIL_MAX_POINTS))
        .replace("__MAP__", map_name)
    )


def _sweepline_api(map_name: str, tiles: TileLayerConfig | None) -> Any:
    """A folium element adding `window.sweepline` to the end script, after the map exists.

    MacroElement's own render puts the `header` macro in the page head and the `script`
    macro after the map's creation script, which is exactly the order the API needs.
    folium, branca and jinja2 are imported here, not at start-up: the running app reads
    the page rendered at build time and never needs them.
    """
    from branca.element import MacroElement
    from jinja2 import Template

    class _SweeplineApi(MacroElement):
        _template = Template(
            "{% macro script(this, kwargs) %}{{ this.source }}{% endmacro %}"
            "{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}"
        )

        def __init__(self) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self._name = "SweeplineApi"
            self.source = _page_script(map_name, tiles)
            self.css = page_css()

    return _SweeplineApi()


def _hash_source(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(html: str) -> str:
    """A CSP allowing only the app scheme plus the exact inline blocks found in `html`."""
    scripts = " ".join(sorted({_hash_source(s) for s in _INLINE_SCRIPT.findall(html)}))
    styles = " ".join(sorted({_hash_source(s) for s in _INLINE_STYLE.findall(html)}))
    own = f"{SCHEME}:"
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {own} {scripts}".strip(),
            f"style-src {own} {styles}".strip(),
            f"img-src {own} data:",
            f"font-src {own}",
            "connect-src 'none'",
            "media-src 'none'",
            "object-src 'none'",
            "frame-src 'none'",
            "worker-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


@dataclass(frozen=True, slots=True)
class TileLayerConfig:
    """The page's raster background: always the app scheme, never a remote server."""

    url: str = TILE_URL_TEMPLATE
    max_zoom: int = MAX_ZOOM
    attribution: str = BASEMAP_ATTRIBUTION

    def to_json(self) -> dict[str, object]:
        if not self.url.startswith(f"{SCHEME}:"):
            raise ValueError(f"tile URL {self.url!r} is not on the {SCHEME}: scheme")
        return {"url": self.url, "maxZoom": self.max_zoom, "attribution": self.attribution}


def build_map_page(
    center: tuple[float, float] = DEFAULT_CENTER,
    zoom: int = DEFAULT_ZOOM,
    tiles: TileLayerConfig | None = TileLayerConfig(),
) -> str:
    """The complete map page HTML, rendered by folium. `center`/`zoom` only matter until
    a route is loaded.

    `tiles=None` builds a page with the street layer only and no raster background.
    """
    import folium

    fmap = folium.Map(
        location=list(center),
        zoom_start=zoom,
        max_zoom=MAX_ZOOM,
        tiles=None,
        attribution_control=False,
        prefer_canvas=False,
        control_scale=False,
    )
    fmap.default_js = LEAFLET_JS
    fmap.default_css = LEAFLET_CSS
    fmap._id = _MAP_ID
    _sweepline_api(fmap.get_name(), tiles).add_to(fmap)
    html: str = fmap.get_root().render()
    csp = content_security_policy(html)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
    # Right after the charset declaration: before every script and stylesheet it governs.
    charset = _CHARSET_META.search(html)
    if charset is None or html.find("<script") < charset.end():
        raise RuntimeError("folium page layout changed: no charset meta before the scripts")
    head = html[: charset.end()] + "\n    " + meta + "\n    " + GENERATED_NOTE
    return head + html[charset.end() :]


def page_key(
    center: tuple[float, float] = DEFAULT_CENTER,
    zoom: int = DEFAULT_ZOOM,
    tiles: TileLayerConfig | None = TileLayerConfig(),
) -> str:
    """A short hash of everything the page is made from (without importing folium).

    The folium version is not part of it: `tests/maps/test_page.py` renders the page with
    the installed folium and requires the stored file to be identical.
    """
    inputs = {
        "center": list(center),
        "zoom": zoom,
        "max_zoom": MAX_ZOOM,
        "tiles": tiles.to_json() if tiles is not None else None,
        "js": LEAFLET_JS,
        "css": LEAFLET_CSS,
        "script": page_js(),
        "page_css": page_css(),
        "colours": STATE_COLOURS,
        "dashes": STATE_DASHES,
        "trail": TRAIL_MAX_POINTS,
        "map_id": _MAP_ID,
    }
    blob = json.dumps(inputs, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def prerendered_path(
    center: tuple[float, float] = DEFAULT_CENTER,
    zoom: int = DEFAULT_ZOOM,
    tiles: TileLayerConfig | None = TileLayerConfig(),
) -> Path:
    return PRERENDERED_DIR / f"map-{page_key(center, zoom, tiles)}.html"


_rendered: dict[str, str] = {}


def map_page(
    center: tuple[float, float] = DEFAULT_CENTER,
    zoom: int = DEFAULT_ZOOM,
    tiles: TileLayerConfig | None = TileLayerConfig(),
) -> str:
    """The map page: the copy rendered at build time when its inputs are unchanged,
    otherwise rendered now by folium (and kept for the rest of the process)."""
    key = page_key(center, zoom, tiles)
    if key in _rendered:
        return _rendered[key]
    path = PRERENDERED_DIR / f"map-{key}.html"
    try:
        html = path.read_text(encoding="utf-8")
    except OSError:
        html = build_map_page(center, zoom, tiles)
    _rendered[key] = html
    return html


# The pages the app loads: with the bundled basemap, and streets only.
PRERENDERED_VARIANTS: tuple[TileLayerConfig | None, ...] = (TileLayerConfig(), None)


def write_prerendered() -> list[Path]:
    """Render every variant the app uses into `resources/map_page/` (and drop stale ones)."""
    PRERENDERED_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    for tiles in PRERENDERED_VARIANTS:
        path = prerendered_path(tiles=tiles)
        path.write_text(build_map_page(tiles=tiles), encoding="utf-8")
        written.append(path)
    for stale in PRERENDERED_DIR.glob("map-*.html"):
        if stale not in written:
            stale.unlink()
    return written


if __name__ == "__main__":
    for written_path in write_prerendered():
        print(written_path.relative_to(RESOURCES_DIR.parent))
    sys.exit(0)
