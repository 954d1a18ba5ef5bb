"""The golden vectors of the wire protocol, shared by the tablet's and the server's tests.

`vectors/protocol_v<N>.json` holds fixed inputs and the exact bytes, hashes and encoded
batches protocol N produces for them. The file is never edited: deployed tablets and
servers compute these values, so a change to the format is a new protocol version with a
new file beside the old one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).resolve().parent / "vectors"


def load(version: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (VECTORS / f"protocol_v{version}.json").read_text(encoding="utf-8")
    )
    assert data["protocol"] == version
    return data


def named(entries: list[dict[str, Any]]) -> list[Any]:
    """pytest parameters named after each vector, so a failure says which one."""
    import pytest

    return [pytest.param(e, id=e["name"]) for e in entries]
