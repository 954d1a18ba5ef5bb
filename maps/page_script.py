"""The map page's JavaScript and CSS: the files in `maps/page/` and what Python shares with them.

The script and style sheet are plain `.js`/`.css` files so editors, linters and
`node --check` see them as what they are (tests/maps/test_page_files.py runs the check).
They are package data (`[tool.setuptools.package-data]` in pyproject.toml; the
PyInstaller build takes the same list) and are read through `importlib.resources`, so the
source tree, an installed wheel and the frozen app all find them the same way.
`maps.page` fills in the constants below and embeds the result in the page, pinned with a
CSP hash; the pages stored in `resources/map_page/` are rendered from these files by
`python -m maps.page` and never edited by hand.
"""

from __future__ import annotations

import functools
from importlib import resources
from importlib.resources.abc import Traversable

# Colours were picked to stay distinct on the light day background and the dark night
# background, and for the common red-green colour deficiencies (blue vs amber vs green
# differ in lightness as well as hue).
STATE_COLOURS = {
    "not_started": "#5b7fa6",
    "in_progress": "#e8a317",
    "one_side": "#1f9d55",
    "swept": "#1f9d55",
    "skipped": "#8a8f98",
}
# Besides colour, a dash pattern tells the curb-side states apart (and survives colour
# blindness and the night filter): one curb swept is dashed green, skipped is dotted grey.
STATE_DASHES = {"one_side": "14 10", "skipped": "2 14"}

TRAIL_MAX_POINTS = 120

# In page order: sweepline.js defines `window.sweepline`, guidance.js adds the "Next"
# arrow, exception pins and the folding legend, channel.js connects it to the
# application's QWebChannel bridge.
PAGE_SCRIPT_FILES = ("sweepline.js", "guidance.js", "channel.js")
PAGE_STYLE_FILES = ("sweepline.css",)


def page_file(name: str) -> Traversable:
    """One file of `maps/page/`, wherever the `maps` package was installed from."""
    return resources.files("maps") / "page" / name


def _joined(names: tuple[str, ...]) -> str:
    # One newline between files whatever each ends with, so a file ending in a `//`
    # comment cannot swallow the first line of the next.
    texts = (page_file(name).read_text(encoding="utf-8").rstrip("\n") for name in names)
    return "\n".join(texts) + "\n"


@functools.cache
def page_js() -> str:
    """The page's script: every file of `PAGE_SCRIPT_FILES` in order, placeholders unfilled.

    Read once per process: `maps.page.page_key` hashes it to find the stored page.
    """
    return _joined(PAGE_SCRIPT_FILES)


@functools.cache
def page_css() -> str:
    """The page's style sheet: every file of `PAGE_STYLE_FILES` in order."""
    return _joined(PAGE_STYLE_FILES)
