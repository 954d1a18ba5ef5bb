"""The printable pages the server writes (street evidence, daily report): one HTML
file with its styles, its static charts and a folium map whose Leaflet is inlined.

Inlining the bundled Leaflet (resources/leaflet) instead of folium's CDN links makes the
file complete on its own: it renders offline, from an attachment, years later, and the
page asks no third party for anything when a resident's complaint is being answered.
The maps carry no tile layer for the same reason: the street lines themselves are the map.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

# The map box the zoom is chosen for (CSS pixels across its narrower side).
MAP_FIT_PX = 320
LEAFLET_DIR = Path(__file__).resolve().parent.parent / "resources" / "leaflet"

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 1.2em 2em; color: #1d2733; }
h1 { font-size: 1.5em; margin: 0 0 .2em; } h2 { font-size: 1.15em; margin: 1.2em 0 .4em; }
p.sub { color: #4c5a68; margin: 0 0 1em; }
table { border-collapse: collapse; margin: .3em 0 1em; font-size: .9em; }
th, td { border: 1px solid #c7ced6; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
td.num { text-align: right; }
.map { height: 360px; width: 100%; border: 1px solid #c7ced6; margin-bottom: 1em; }
.leaflet-container { background: #f7f8fa; }
p.empty { color: #6b7785; font-style: italic; }
.legend span { display: inline-block; margin-right: 1.2em; }
.swatch { display: inline-block; width: 14px; height: 6px; margin-right: 4px; }
@media print { body { margin: 0; } .map { height: 9cm; } h2 { break-after: avoid; } }
"""


@functools.cache
def _leaflet() -> tuple[str, str]:
    js = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")
    return js, css


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], empty: str) -> str:
    """An HTML table of plain text cells (every cell escaped); numbers right-aligned."""
    body = []
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(f'<td class="num">{escape(str(value))}</td>')
            else:
                cells.append(f"<td>{escape('' if value is None else str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        return f'<p class="empty">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def folium_map(
    lines: Sequence[tuple[Sequence[Sequence[float]], str, str, float]],
    points: Sequence[tuple[float, float, str, str]],
) -> Any:
    """A folium map (no tiles, bundled Leaflet) of `lines` ([lon, lat] coords, colour,
    tooltip, weight) and `points` (lat, lon, colour, tooltip), fitted to them."""
    import folium

    latlng_lines = [
        ([[float(c[1]), float(c[0])] for c in coords], colour, tip, weight)
        for coords, colour, tip, weight in lines
        if len(coords) >= 2
    ]
    lats = [p[0] for line in latlng_lines for p in line[0]] + [p[0] for p in points]
    lons = [p[1] for line in latlng_lines for p in line[0]] + [p[1] for p in points]
    # Centre and zoom computed here rather than with Leaflet's fitBounds, which gives NaN
    # in a page laid out before its map has a size (a hidden tab, a print preview).
    if lats:
        centre = [(min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2]
        zoom = fit_zoom(max(lats) - min(lats), max(lons) - min(lons), centre[0])
    else:
        centre, zoom = [0.0, 0.0], 2
    fmap = folium.Map(location=centre, zoom_start=zoom, tiles=None, height="360px")
    fmap.default_js = []
    fmap.default_css = []
    for latlngs, colour, tip, weight in latlng_lines:
        line = folium.PolyLine(latlngs, color=colour, weight=weight, opacity=0.9, tooltip=tip)  # type: ignore[no-untyped-call]
        line.add_to(fmap)
    for lat, lon, colour, tip in points:
        folium.CircleMarker(
            [lat, lon], radius=6, color=colour, fill=True, fill_opacity=0.85, tooltip=tip
        ).add_to(fmap)
    return fmap


def fit_zoom(lat_span: float, lon_span: float, lat: float) -> int:
    """The largest web-map zoom at which the spans fit `MAP_FIT_PX` (clamped 3–18)."""
    zoom = 18.0
    if lon_span > 0:
        zoom = min(zoom, math.log2(MAP_FIT_PX * 360 / (256 * lon_span)))
    if lat_span > 0:
        # Near the centre, a degree of latitude spans 1 / cos(lat) degrees of longitude.
        stretched = lat_span / max(math.cos(math.radians(lat)), 0.01)
        zoom = min(zoom, math.log2(MAP_FIT_PX * 360 / (256 * stretched)))
    return int(max(3.0, min(18.0, math.floor(zoom))))


def page(title: str, lang: str, body_before: str, fmap: Any, body_after: str) -> str:
    """The whole document: `body_before`, the map, `body_after` (both already HTML)."""
    import folium

    js, css = _leaflet()
    figure = folium.Figure(title=title)
    figure.header.add_child(
        folium.Element(
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{css}</style><style>{STYLE}</style>"
            f"<script>{js}</script>"
        )
    )
    figure.html.add_child(folium.Element(body_before))
    fmap.add_to(figure)
    html: str = figure.render()
    # folium places the map's div when it renders, after every other body element: what
    # comes after the map goes in by hand, before </body>.
    end = html.rfind("</body>")
    if end < 0:
        raise RuntimeError("folium page layout changed: no </body>")
    html = html[:end] + body_after + "\n" + html[end:]
    return html.replace("<html>", f'<html lang="{escape(lang)}">', 1)
