"""The printable pages the server writes (street evidence, daily report): one HTML
file with its styles, its static charts and a folium map whose Leaflet is inlined.

Inlining the bundled Leaflet (resources/leaflet) instead of folium's CDN links makes the
file complete on its own: it renders offline, from an attachment, years later, and the
page asks no third party for anything when a resident's complaint is being answered.
The maps carry no tile layer for the same reason: the street lines themselves are the map.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

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

    fmap = folium.Map(location=[0, 0], zoom_start=15, tiles=None, height="360px")
    fmap.default_js = []
    fmap.default_css = []
    lats: list[float] = []
    lons: list[float] = []
    for coords, colour, tip, weight in lines:
        latlngs = [[float(c[1]), float(c[0])] for c in coords]
        if len(latlngs) < 2:
            continue
        line = folium.PolyLine(latlngs, color=colour, weight=weight, opacity=0.9, tooltip=tip)  # type: ignore[no-untyped-call]
        line.add_to(fmap)
        lats += [p[0] for p in latlngs]
        lons += [p[1] for p in latlngs]
    for lat, lon, colour, tip in points:
        folium.CircleMarker(
            [lat, lon], radius=6, color=colour, fill=True, fill_opacity=0.85, tooltip=tip
        ).add_to(fmap)
        lats.append(lat)
        lons.append(lon)
    if lats:
        fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(20, 20))
    return fmap


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
