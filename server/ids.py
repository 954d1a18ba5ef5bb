"""Names the server accepts as ids (users, devices, routes, assignments), and a safe id
derived from any text.

Ids travel in URL paths, CLI arguments and file names, so they are held to one small
alphabet. A city's layer names its routes however it likes ("Route 2", "Zone A/B"):
the importer and `assign` derive an id from such a value instead of writing one that a
later command would refuse.
"""

from __future__ import annotations

import re
from typing import Final

MAX_ID: Final = 128
NAME_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")
_UNSAFE_RUN: Final = re.compile(r"[^A-Za-z0-9._@-]+")


def is_safe_id(text: str) -> bool:
    return NAME_RE.match(text) is not None


def safe_id(text: str) -> str:
    """`text` with every run of other characters turned into one `-`, leading
    punctuation dropped, cut to the length limit; "" when nothing usable is left.
    An id that is already safe comes back unchanged."""
    if is_safe_id(text):
        return text
    derived = _UNSAFE_RUN.sub("-", text.strip()).lstrip("._@-")
    return derived[:MAX_ID].rstrip("-")
