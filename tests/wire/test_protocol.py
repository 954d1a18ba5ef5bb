"""Decoding refuses every malformed batch with its reason (beyond the golden vectors)."""

from __future__ import annotations

import pytest

from wire.protocol import FIX_FIELDS, FIX_SCALES, FixBatchError, decode_fix_batch


def _payload(columns: object) -> dict[str, object]:
    return {"fields": list(FIX_FIELDS), "scales": list(FIX_SCALES), "columns": columns}


@pytest.mark.parametrize(
    ("columns", "reason"),
    [
        ([[1]] * 7, "fix_batch 'columns' must be 6 lists"),
        ([[1]] * 5, "fix_batch 'columns' must be 6 lists"),
        ([], "fix_batch 'columns' must be 6 lists"),
        ("[[1]]", "fix_batch 'columns' must be 6 lists"),
        ([[1], [1], [1], [None], [None], 5], "fix_batch 'columns' must be 6 lists"),
        # the first column longer than the rest, and shorter
        ([[1, 2], [1], [1], [None], [None], [None]], "must all have the same length"),
        ([[1], [1, 2], [1, 2], [None] * 2, [None] * 2, [None] * 2], "must all have the same"),
    ],
)
def test_malformed_columns(columns: object, reason: str) -> None:
    with pytest.raises(FixBatchError, match=reason):
        decode_fix_batch(_payload(columns))


def test_a_null_only_skips_its_own_fix() -> None:
    columns = [[1, 1, 1], [10, 1, 1], [20, 1, 1], [None, 250, None], [None, None, 900], [None] * 3]
    rows = decode_fix_batch(_payload(columns))
    assert [r[3] for r in rows] == [None, 2.5, None]
    assert [r[4] for r in rows] == [None, None, 90.0]
    assert [r[0] for r in rows] == [1, 2, 3]
    assert all(type(r[0]) is int for r in rows)
