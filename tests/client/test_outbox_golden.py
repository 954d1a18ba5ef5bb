"""The tablet's side of the golden wire vectors: what the outbox stores and sends.

The outbox hashes and encodes with wire/protocol.py; these check that the events it
actually offers for a push carry the pinned sha256 and the pinned compact batch, so a
change on the tablet's path alone (a field dropped before hashing, a different encoding
of buffered fixes) is caught as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from client.outbox import Outbox
from client.store import Store
from tests.wire.golden import load

V1 = load(1)
DEVICE_TIME = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)  # every vector's device_time


class FixedClock:
    def now(self) -> datetime:
        return DEVICE_TIME

    def today(self) -> date:
        return DEVICE_TIME.date()


@pytest.fixture
def box(tmp_path: Path) -> Iterator[Outbox]:
    store = Store(tmp_path / "tablet.sqlite", device_id="dev-golden")
    yield Outbox(store, FixedClock())
    store.close()


def _vector(name: str) -> dict[str, Any]:
    return next(v for v in V1["content_hash"] if v["name"] == name)


@pytest.mark.parametrize(
    "name",
    [
        "a note with every field set and unicode text",
        "every optional field null",
        "a segment swept, keys given out of order",
        "payload values: numbers, booleans, nesting, escapes",
    ],
)
def test_an_appended_event_goes_out_with_the_pinned_hash(box: Outbox, name: str) -> None:
    inputs = _vector(name)["input"]
    assert inputs["device_time"] == "2026-05-04T08:00:00.000Z"
    seq = box.append(
        inputs["stream"],
        inputs["type"],
        inputs["payload"],
        assignment_version=inputs["assignment_version"],
        gps_time=inputs["gps_time"],
        event_id=inputs["id"],
    )
    assert seq == 1
    (event,) = box.pending(inputs["stream"], max_count=10, max_bytes=10**6)
    assert event.wire() == {
        "seq": 1,
        "type": inputs["type"],
        "id": inputs["id"],
        "sha256": _vector(name)["sha256"],
        "assignment_version": inputs["assignment_version"],
        "device_time": inputs["device_time"],
        "gps_time": inputs["gps_time"],
        "payload": inputs["payload"],
    }


def test_the_events_pushed_are_the_pinned_push_events(box: Outbox) -> None:
    for pushed in V1["push"]:
        e = pushed["event"]
        box.append(
            pushed["stream"],
            e["type"],
            e["payload"],
            assignment_version=e["assignment_version"],
            gps_time=e["gps_time"],
            event_id=e["id"],
        )
    for stream in ("events", "gps"):
        want = [p["event"] for p in V1["push"] if p["stream"] == stream]
        got = [ev.wire() for ev in box.pending(stream, max_count=10, max_bytes=10**6)]
        assert got == want


@pytest.mark.parametrize(
    "vector",
    [v for v in V1["fix_batches"] if v["rows"] and "decode_error" not in v],
    ids=lambda v: v["name"],
)
def test_buffered_fixes_are_sealed_into_the_pinned_batch(box: Outbox, vector: Any) -> None:
    box.buffer_fixes(vector["rows"], assignment_version=None)
    assert box.seal_fixes(100, partial=True) == 1
    (event,) = box.pending("gps", max_count=10, max_bytes=10**7)
    wire = event.wire()
    assert wire["type"] == "fix_batch"
    assert wire["payload"] == vector["payload"]
    assert event.payload_json == vector["canonical"]


def test_a_one_fix_batch_is_the_pinned_gps_event(box: Outbox) -> None:
    pinned = _vector("a fix batch (one fix)")
    (rows,) = [v["rows"] for v in V1["fix_batches"] if v["name"] == "one fix"]
    box.buffer_fixes(rows, assignment_version=None)
    assert box.seal_fixes(60, partial=True) == 1
    (event,) = box.pending("gps", max_count=10, max_bytes=10**6)
    assert event.gps_time == pinned["input"]["gps_time"]  # the time of the batch's last fix
    assert event.sha256 == pinned["sha256"]
