"""Wire-level constants and the canonical hashing both tablet and server rely on.

The tablet and the reference server must compute the same sha256 for the same fact,
byte for byte, or a resend would look like a reused sequence number. Keeping the one
definition here (imported by `server/` too) makes that impossible to get wrong twice.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Final, Literal

PROTOCOL_VERSION: Final = 1

Stream = Literal["events", "gps"]
STREAMS: Final[tuple[str, ...]] = ("events", "gps")

# Push result statuses (SYNC.md, "Push").
APPLIED: Final = "applied"
DUPLICATE: Final = "duplicate"
CONFLICT_REUSED_SEQ: Final = "conflict_reused_seq"
REJECTED: Final = "rejected"
GAP: Final = "gap"

# Event types of the `events` stream understood by protocol 1.
EVENT_TYPES: Final[frozenset[str]] = frozenset(
    {
        "shift_started",
        "shift_ended",
        "segment_swept",
        "exception",
        "note",
        "message_ack",
    }
)
# The `gps` stream carries one type: a batch of fixes as compact arrays.
FIX_BATCH: Final = "fix_batch"
FIX_FIELDS: Final[tuple[str, ...]] = ("t_ms", "lat", "lon", "speed_mps", "heading_deg", "acc_m")


def canonical_json(value: Any) -> bytes:
    """Serialise deterministically: sorted keys, no whitespace, UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_hash(
    *,
    stream: str,
    type: str,
    payload: Any,
    assignment_version: int | None,
    device_time: str | None,
    gps_time: str | None,
    id: str | None = None,
) -> str:
    """sha256 (hex) of everything that makes a fact what it is, except its seq."""
    content = {
        "stream": stream,
        "type": type,
        "id": id,
        "assignment_version": assignment_version,
        "device_time": device_time,
        "gps_time": gps_time,
        "payload": payload,
    }
    return hashlib.sha256(canonical_json(content)).hexdigest()
