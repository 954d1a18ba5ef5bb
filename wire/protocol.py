"""Wire-level constants and the canonical hashing both tablet and server rely on.

The tablet and the reference server must compute the same sha256 for the same fact,
byte for byte, or a resend would look like a reused sequence number. Keeping the one
definition here (imported by `server/` too) makes that impossible to get wrong twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
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
        # The operator says a segment is not swept, and why (end-of-shift check).
        "segment_not_swept",
        # An answer to a server-defined form, checked against the form version it names.
        "form_answer",
        # The tablet's database was damaged at start and set aside; what was recovered.
        "storage_recovered",
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


# Compact fix batches (protocol 1): each field is a column of integers in its own unit
# (`FIX_SCALES` per degree, metre, …), delta-coded against the previous non-null value of
# the same column. At 1 Hz the deltas are short and repetitive, which gzip turns into a
# few bytes per fix; nulls stay null (a field the receiver did not report).
FIX_SCALES: Final[tuple[int, ...]] = (1, 10_000_000, 10_000_000, 100, 10, 10)


class FixBatchError(ValueError):
    """A fix_batch payload that cannot be decoded; the message is the rejection reason."""


def encode_fix_batch(rows: Sequence[Sequence[float | int | None]]) -> dict[str, Any]:
    """Rows of `FIX_FIELDS` values (ms, degrees, m/s, degrees, m) → the compact payload."""
    columns: list[list[int | None]] = [[] for _ in FIX_FIELDS]
    previous = [0] * len(FIX_FIELDS)
    for row in rows:
        if len(row) != len(FIX_FIELDS):
            raise FixBatchError(f"a fix needs {len(FIX_FIELDS)} values, got {len(row)}")
        for i, value in enumerate(row):
            if value is None:
                columns[i].append(None)
                continue
            scaled = round(value * FIX_SCALES[i])
            columns[i].append(scaled - previous[i])
            previous[i] = scaled
    return {"fields": list(FIX_FIELDS), "scales": list(FIX_SCALES), "columns": columns}


def decode_fix_batch(payload: Any) -> list[list[float | int | None]]:
    """The compact payload → rows of `FIX_FIELDS` values; `FixBatchError` says what is wrong."""
    if not isinstance(payload, dict):
        raise FixBatchError("fix_batch payload must be a JSON object")
    if payload.get("fields") != list(FIX_FIELDS):
        raise FixBatchError(f"fix_batch 'fields' must be {list(FIX_FIELDS)}")
    if payload.get("scales") != list(FIX_SCALES):
        raise FixBatchError(f"fix_batch 'scales' must be {list(FIX_SCALES)}")
    columns = payload.get("columns")
    width = len(FIX_FIELDS)
    if (
        not isinstance(columns, list)
        or len(columns) != width
        or not all(isinstance(c, list) for c in columns)
    ):
        raise FixBatchError(f"fix_batch 'columns' must be {width} lists")
    count = len(columns[0])
    if any(len(c) != count for c in columns):
        raise FixBatchError("fix_batch 'columns' must all have the same length")
    if count == 0:
        raise FixBatchError("fix_batch 'columns' must be non-empty")
    rows: list[list[float | int | None]] = [[None] * width for _ in range(count)]
    for i, column in enumerate(columns):
        value = 0
        scale = FIX_SCALES[i]
        for n, delta in enumerate(column):
            if delta is None:
                continue
            if not isinstance(delta, int) or isinstance(delta, bool):
                raise FixBatchError(f"fix {n} has a value that is neither an integer nor null")
            value += delta
            rows[n][i] = value if scale == 1 else value / scale
    for n, row in enumerate(rows):
        if row[0] is None or row[1] is None or row[2] is None:
            raise FixBatchError(f"fix {n} lacks t_ms, lat or lon")
    return rows
