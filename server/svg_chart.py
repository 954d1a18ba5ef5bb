"""Static bar charts as inline SVG, for the printable pages (evidence, daily report).

A chart in the page itself prints, survives being mailed as one file and needs no
plotting package on the server. Labels are escaped: route names and exception kinds
come from imports and tablets.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH = 640
BAR_HEIGHT = 22
GAP = 6
LABEL_W = 190
VALUE_W = 90
COLOUR = "#2f6f9f"


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    unit: str = "",
    empty: str = "—",
    top: float | None = None,
) -> str:
    """Horizontal bars, one per label, each with its value printed after it; the full
    width is `top` (e.g. 100 for percentages), else the largest value."""
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels for {len(values)} values")
    if not labels:
        return f'<p class="empty">{escape(empty)}</p>'
    top = top or max(max(values), 0.0) or 1.0
    span = WIDTH - LABEL_W - VALUE_W
    height = len(labels) * (BAR_HEIGHT + GAP) + GAP
    parts = [
        f'<svg class="chart" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = GAP + i * (BAR_HEIGHT + GAP)
        w = min(max(0.0, value) / top, 1.0) * span
        text_y = y + BAR_HEIGHT * 0.7
        shown = f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.0f}"
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{text_y:.1f}" text-anchor="end" font-size="12">'
            f"{escape(label)}</text>"
            f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{COLOUR}"/>'
            f'<text x="{LABEL_W + w + 6:.1f}" y="{text_y:.1f}" font-size="12">'
            f"{escape(shown)}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
