"""The supervisor's fleet layer script (`maps/fleet/fleet.js`), read as package data.

It is not part of the operator's map page (`maps.page_script.PAGE_SCRIPT_FILES`): the
supervisor window injects it into its own copy of the page, so the operator screen's
page, its CSP hashes and its stored renders stay exactly as they are.
"""

from __future__ import annotations

import functools
from importlib import resources

FLEET_SCRIPT_FILE = "fleet.js"


@functools.cache
def fleet_js() -> str:
    """The script that defines `window.sweeplineFleet` on a loaded map page (its own
    folder: `maps/page/` holds the operator page's files and nothing else)."""
    return (resources.files("maps") / "fleet" / FLEET_SCRIPT_FILE).read_text(encoding="utf-8")
