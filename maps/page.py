"""The map page: a folium map that loads only bundled Leaflet and carries its own CSP.

folium writes the Leaflet boilerplate; we strip its CDN defaults (jQuery, Bootstrap,
Font Awesome, awesome-markers, Leaflet from jsDelivr) down to the bundled Leaflet served
by the app's URL scheme, add no tile layer, and pin every inline script and style with a
SHA-256 hash in a Content-Security-Policy so nothing else can run or load.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass

import folium
from branca.element import MacroElement
from jinja2 import Template

from maps.assets import BASEMAP_ATTRIBUTION, LEAFLET_URL, SCHEME, TILE_URL_TEMPLATE
from maps.page_script import (
    PAGE_CSS,
    PAGE_SCRIPT,
    STATE_COLOURS,
    STATE_DASHES,
    TRAIL_MAX_POINTS,
)

# Street level: Leaflet asks for tiles up to here; beyond the cache the streets show.
MAX_ZOOM = 19
LEAFLET_JS = [("leaflet", f"{LEAFLET_URL}leaflet.js")]
LEAFLET_CSS = [("leaflet_css", f"{LEAFLET_URL}leaflet.css")]

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_INLINE_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_CHARSET_META = re.compile(r'<meta http-equiv="content-type"[^>]*>')


class _SweeplineApi(MacroElement):
    """Adds `window.sweepline` to the end script, after folium has created the map.

    MacroElement's own render puts the `header` macro in the page head and the `script`
    macro after the map's creation script, which is exactly the order the API needs.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}{{ this.source }}{% endmacro %}"
        "{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}"
    )

    def __init__(self, map_name: str, tiles: TileLayerConfig | None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "SweeplineApi"
        tiles_json = json.dumps(tiles.to_json() if tiles is not None else None)
        self.source = (
            PAGE_SCRIPT.replace("__COLOURS__", json.dumps(STATE_COLOURS))
            .replace("__DASHES__", json.dumps(STATE_DASHES))
            .replace("__TILES__", tiles_json.replace("</", "<\\/"))
            .replace("__TRAIL_MAX__", str(TRAIL_MAX_POINTS))
            .replace("__MAP__", map_name)
        )
        self.css = PAGE_CSS


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
    center: tuple[float, float] = (43.4643, -80.5204),
    zoom: int = 14,
    tiles: TileLayerConfig | None = TileLayerConfig(),
) -> str:
    """The complete map page HTML. `center`/`zoom` only matter until a route is loaded.

    `tiles=None` builds a page with the street layer only and no raster background.
    """
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
    _SweeplineApi(fmap.get_name(), tiles).add_to(fmap)
    html: str = fmap.get_root().render()
    csp = content_security_policy(html)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
    # Right after the charset declaration: before every script and stylesheet it governs.
    charset = _CHARSET_META.search(html)
    if charset is None or html.find("<script") < charset.end():
        raise RuntimeError("folium page layout changed: no charset meta before the scripts")
    return html[: charset.end()] + "\n    " + meta + html[charset.end() :]
