"""The wire protocol computes exactly the bytes pinned in the golden vectors.

Round-trip tests cannot catch a format change: tablet and server share wire/protocol.py,
so a renamed hash key or a new scale round-trips fine and breaks every deployed tablet.
These compare against fixed bytes instead (the sha256 itself is recomputed here with
hashlib from the pinned canonical text, independently of the code under test).
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import pytest

from tests.wire.golden import VECTORS, load, named
from wire.protocol import (
    FIX_FIELDS,
    FIX_SCALES,
    PROTOCOL_VERSION,
    FixBatchError,
    canonical_json,
    content_hash,
    decode_fix_batch,
    encode_fix_batch,
)

V1 = load(1)


def test_every_protocol_version_has_its_vector_file() -> None:
    present = sorted(p.name for p in VECTORS.glob("protocol_v*.json"))
    assert present == [f"protocol_v{v}.json" for v in range(1, PROTOCOL_VERSION + 1)]


def test_fix_fields_and_scales_are_protocol_1s() -> None:
    assert list(FIX_FIELDS) == V1["fix_fields"]
    assert list(FIX_SCALES) == V1["fix_scales"]
    # spelled out as well: the vector file and this line would both have to be edited
    assert FIX_FIELDS == ("t_ms", "lat", "lon", "speed_mps", "heading_deg", "acc_m")
    assert FIX_SCALES == (1, 10_000_000, 10_000_000, 100, 10, 10)


@pytest.mark.parametrize("vector", named(V1["content_hash"]))
def test_content_hash_is_the_pinned_sha256(vector: dict[str, Any]) -> None:
    inputs = vector["input"]
    canonical = vector["canonical"].encode("utf-8")
    assert hashlib.sha256(canonical).hexdigest() == vector["sha256"]
    assert canonical_json(inputs) == canonical
    assert content_hash(**inputs) == vector["sha256"]


def test_each_hashed_field_changes_the_hash() -> None:
    vector = V1["content_hash"][0]
    inputs = vector["input"]
    for key in inputs:
        changed = {**inputs, key: None if inputs[key] is not None else "x"}
        assert content_hash(**changed) != vector["sha256"], key


@pytest.mark.parametrize("vector", named(V1["canonical_json"]))
def test_canonical_json_is_the_pinned_text(vector: dict[str, Any]) -> None:
    assert canonical_json(vector["value"]) == vector["canonical"].encode("utf-8")


@pytest.mark.parametrize("spelling", V1["canonical_json_refuses"])
def test_canonical_json_refuses_numbers_json_cannot_hold(spelling: str) -> None:
    value = float(spelling)
    assert not math.isfinite(value)
    with pytest.raises(ValueError, match="JSON compliant"):
        canonical_json({"x": [1, value]})
    with pytest.raises(ValueError, match="JSON compliant"):
        content_hash(
            stream="gps",
            type="fix_batch",
            payload={"x": value},
            assignment_version=None,
            device_time=None,
            gps_time=None,
        )


@pytest.mark.parametrize("vector", named(V1["fix_batches"]))
def test_fix_batch_encodes_to_the_pinned_payload(vector: dict[str, Any]) -> None:
    payload = encode_fix_batch(vector["rows"])
    assert payload == vector["payload"]
    assert canonical_json(payload) == vector["canonical"].encode("utf-8")


@pytest.mark.parametrize("vector", named(V1["fix_batches"]))
def test_fix_batch_decodes_to_the_pinned_rows(vector: dict[str, Any]) -> None:
    if "decode_error" in vector:
        with pytest.raises(FixBatchError) as refused:
            decode_fix_batch(vector["payload"])
        assert str(refused.value) == vector["decode_error"]
        return
    decoded = decode_fix_batch(vector["payload"])
    assert decoded == vector["decoded"]
    # exact types too: t_ms stays an integer, scaled fields are floats
    for got, want in zip(decoded, vector["decoded"], strict=True):
        assert [type(v) for v in got] == [type(v) for v in want]


@pytest.mark.parametrize("vector", named(V1["fix_batch_decode_errors"]))
def test_malformed_fix_batches_are_refused_with_their_reason(vector: dict[str, Any]) -> None:
    with pytest.raises(FixBatchError) as refused:
        decode_fix_batch(vector["payload"])
    assert str(refused.value) == vector["reason"]


@pytest.mark.parametrize("vector", named(V1["fix_batch_encode_errors"]))
def test_fixes_of_the_wrong_width_are_not_encoded(vector: dict[str, Any]) -> None:
    with pytest.raises(FixBatchError) as refused:
        encode_fix_batch(vector["rows"])
    assert str(refused.value) == vector["reason"]
