"""The outbox keeps every fact, numbers streams contiguously, and records answers atomically."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from client.outbox import Outbox, PushOutcome
from client.store import Store
from wire.protocol import content_hash


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "tablet.sqlite", device_id="dev-1")
    yield s
    s.close()


def test_database_is_wal_and_synchronous_full(store: Store) -> None:
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_streams_have_contiguous_numbers(store: Store) -> None:
    box = Outbox(store)
    seqs = [
        box.append("events", "note", {"i": 1}, assignment_version=1, gps_time=None),
        box.append("gps", "fix_batch", {"fixes": []}, assignment_version=1, gps_time=None),
        box.append("events", "note", {"i": 2}, assignment_version=1, gps_time=None),
        box.append("gps", "fix_batch", {"fixes": [[1]]}, assignment_version=1, gps_time=None),
    ]
    assert seqs == [1, 1, 2, 2]
    assert box.pending_counts() == {"events": 2, "gps": 2}


def test_hash_matches_the_protocol_definition(store: Store) -> None:
    box = Outbox(store)
    box.append(
        "events", "note", {"text": "é <b>"}, assignment_version=3, gps_time="2026-01-01T00:00:00Z"
    )
    (event,) = box.pending("events", max_count=10, max_bytes=10_000)
    wire = event.wire()
    assert wire["sha256"] == content_hash(
        stream="events",
        type="note",
        payload=wire["payload"],
        assignment_version=3,
        device_time=wire["device_time"],
        gps_time="2026-01-01T00:00:00Z",
        id=None,
    )


def test_unknown_stream_is_refused_and_nothing_written(store: Store) -> None:
    box = Outbox(store)
    with pytest.raises(ValueError, match="unknown stream"):
        box.append("video", "x", {}, assignment_version=None, gps_time=None)
    assert box.pending_counts() == {"events": 0, "gps": 0}


def test_pending_is_capped_by_count_and_bytes(store: Store) -> None:
    box = Outbox(store)
    for i in range(10):
        box.append(
            "events", "note", {"blob": "x" * 1000, "i": i}, assignment_version=1, gps_time=None
        )
    assert len(box.pending("events", max_count=3, max_bytes=1_000_000)) == 3
    assert len(box.pending("events", max_count=100, max_bytes=3_000)) == 2
    # a single event larger than the byte cap is still offered alone
    assert len(box.pending("events", max_count=100, max_bytes=10)) == 1


def test_results_are_recorded(store: Store) -> None:
    box = Outbox(store)
    for i in range(4):
        box.append("events", "note", {"i": i}, assignment_version=1, gps_time=None)
    outcome = box.record_push_result(
        "events",
        store.client_id,
        {
            "last_processed_seq": 3,
            "results": [
                {"seq": 1, "status": "applied"},
                {"seq": 2, "status": "duplicate"},
                {"seq": 3, "status": "rejected", "reason": "bad payload"},
                {"seq": 4, "status": "gap", "expected": 4},
            ],
        },
    )
    assert (outcome.acked, outcome.rejected) == (2, 1)
    assert box.pending_counts()["events"] == 1
    assert box.problem_count() == 1
    reason = store.conn.execute("SELECT reason FROM outbox WHERE stream_seq = 3").fetchone()[0]
    assert reason == "bad payload"


def test_server_restored_from_backup_means_resend(store: Store) -> None:
    box = Outbox(store)
    for i in range(3):
        box.append("events", "note", {"i": i}, assignment_version=1, gps_time=None)
    box.record_push_result(
        "events",
        store.client_id,
        {"last_processed_seq": 3, "results": [{"seq": s, "status": "applied"} for s in (1, 2, 3)]},
    )
    assert box.pending_counts()["events"] == 0
    outcome = box.record_push_result(
        "events",
        store.client_id,
        {"last_processed_seq": 1, "results": [{"seq": 3, "status": "gap", "expected": 2}]},
    )
    assert outcome.resend_from == 2
    assert [e.seq for e in box.pending("events", max_count=10, max_bytes=10**6)] == [2, 3]


def test_local_database_went_back_in_time_mints_new_client(store: Store) -> None:
    box = Outbox(store)
    box.append("events", "note", {"i": 0}, assignment_version=1, gps_time=None)
    old_client = store.client_id
    outcome = box.record_push_result(
        "events",
        old_client,
        {"last_processed_seq": 9, "results": [{"seq": 1, "status": "duplicate"}]},
    )
    # seq 1 "duplicate" of a different fact is impossible to trust: the server knew 9
    assert outcome.client_rebased
    assert store.client_id != old_client


def test_sequence_never_reused_after_pruning(store: Store) -> None:
    box = Outbox(store)
    for i in range(3):
        box.append("events", "note", {"i": i}, assignment_version=1, gps_time=None)
    box.record_push_result(
        "events",
        store.client_id,
        {"last_processed_seq": 3, "results": [{"seq": s, "status": "applied"} for s in (1, 2, 3)]},
    )
    top = store.conn.execute("SELECT max(seq) FROM outbox").fetchone()[0]
    assert box.prune_acked("9999-12-31T00:00:00Z") == 3
    box.append("events", "note", {"i": 4}, assignment_version=1, gps_time=None)
    row = store.conn.execute("SELECT seq, stream_seq FROM outbox").fetchone()
    assert row["seq"] > top
    assert row["stream_seq"] == 4


def test_facts_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    s = Store(path, device_id="d")
    Outbox(s).append("events", "note", {"keep": True}, assignment_version=1, gps_time=None)
    client = s.client_id
    s.close()
    s2 = Store(path, device_id="d")
    try:
        (event,) = Outbox(s2).pending("events", max_count=5, max_bytes=10**6)
        assert json.loads(event.payload_json) == {"keep": True}
        assert s2.client_id == client
    finally:
        s2.close()


def test_failed_transaction_leaves_nothing(store: Store) -> None:
    box = Outbox(store)

    def append_then_fail() -> None:
        with store.transaction() as conn:
            box.append("events", "note", {"i": 1}, assignment_version=1, gps_time=None)
            conn.execute("INSERT INTO identity VALUES (1, 'x', 'y', 'z')")

    with pytest.raises(sqlite3.IntegrityError):
        append_then_fail()
    assert box.pending_counts()["events"] == 0


def test_facts_accepted_but_flagged_stale_are_counted_for_the_operator(store: Store) -> None:
    box = Outbox(store)
    for i in range(2):
        box.append("events", "note", {"i": i}, assignment_version=1, gps_time=None)
    box.record_push_result(
        "events",
        store.client_id,
        {
            "last_processed_seq": 2,
            "results": [
                {"seq": 1, "status": "applied", "flags": ["stale_assignment"]},
                {"seq": 2, "status": "applied"},
            ],
        },
    )
    assert box.flagged_count("stale_assignment") == 1
    assert box.pending_counts()["events"] == 0


# -- what the mutation run showed untested -------------------------------------------------


def _counters(store: Store) -> dict[str, tuple[int, int]]:
    return {
        r["stream"]: (r["last_seq"], r["acked_seq"])
        for r in store.conn.execute("SELECT * FROM stream_counter")
    }


def _ack(box: Outbox, store: Store, stream: str, seqs: range) -> None:
    box.record_push_result(
        stream,
        store.client_id,
        {
            "last_processed_seq": seqs[-1],
            "results": [{"seq": s, "status": "applied"} for s in seqs],
        },
    )


def test_version_and_gps_time_are_keyword_only(store: Store) -> None:
    """Both are optional ints/strings in the same position: never passed by position."""
    with pytest.raises(TypeError):
        Outbox(store).append("events", "note", {}, 1, None)  # type: ignore[misc]


def test_reconcile_with_a_server_that_forgot_resends_and_lowers_the_ack_mark(store: Store) -> None:
    box = Outbox(store)
    for i in range(3):
        box.append("events", "note", {"i": i}, assignment_version=1, gps_time=None)
    _ack(box, store, "events", range(1, 4))
    assert _counters(store)["events"] == (3, 3)
    client = store.client_id
    assert box.reconcile({"events": 1, "gps": 0}) is False
    assert store.client_id == client
    assert [e.seq for e in box.pending("events", max_count=10, max_bytes=10**6)] == [2, 3]
    assert _counters(store) == {"events": (3, 1), "gps": (0, 0)}
    # the server now has 2 and 3 again
    _ack(box, store, "events", range(2, 4))
    assert _counters(store)["events"] == (3, 3)


def test_reconcile_in_step_with_the_server_changes_nothing(store: Store) -> None:
    box = Outbox(store)
    for i in range(2):
        box.append("events", "note", {"i": i}, assignment_version=1, gps_time=None)
    _ack(box, store, "events", range(1, 3))
    box.append("events", "note", {"i": 2}, assignment_version=1, gps_time=None)
    client = store.client_id
    assert box.reconcile({"events": 2}) is False
    assert box.reconcile({"events": 2, "gps": 0}) is False
    assert store.client_id == client
    assert [e.seq for e in box.pending("events", max_count=10, max_bytes=10**6)] == [3]
    assert _counters(store) == {"events": (3, 2), "gps": (0, 0)}


@pytest.mark.parametrize("ahead", ["events", "gps"])
def test_reconcile_with_a_server_ahead_of_us_rebases_every_stream(store: Store, ahead: str) -> None:
    box = Outbox(store)
    box.append("events", "note", {"i": 0}, assignment_version=1, gps_time=None)
    box.append("events", "note", {"i": 1}, assignment_version=1, gps_time=None)
    box.append("gps", "fix_batch", {"b": 0}, assignment_version=1, gps_time=None)
    _ack(box, store, "events", range(1, 2))
    old = store.client_id
    assert box.reconcile({ahead: 5}) is True
    assert store.client_id != old
    # what is still owed is renumbered from 1 under the new id, the acked row stays behind
    rows = store.conn.execute(
        "SELECT stream, stream_seq, payload FROM outbox WHERE client_id = ? ORDER BY stream",
        (store.client_id,),
    ).fetchall()
    assert [tuple(r) for r in rows] == [("events", 1, '{"i":1}'), ("gps", 1, '{"b":0}')]
    assert _counters(store) == {"events": (1, 0), "gps": (1, 0)}


def test_a_reused_number_keeps_the_conflict_and_carries_a_copy_first(store: Store) -> None:
    box = Outbox(store)
    for i in range(3):
        box.append("events", "note", {"i": i}, assignment_version=1, gps_time=None)
    box.append("gps", "fix_batch", {"b": 0}, assignment_version=1, gps_time=None)
    old = store.client_id
    outcome = box.record_push_result(
        "events",
        old,
        {
            "last_processed_seq": 2,
            "results": [
                {"seq": 1, "status": "applied"},
                {"seq": 2, "status": "conflict_reused_seq"},
            ],
        },
    )
    assert outcome == PushOutcome(1, 0, 1, None, client_rebased=True)
    assert store.client_id != old
    kept = store.conn.execute(
        "SELECT stream_seq, state, payload FROM outbox WHERE client_id = ? ORDER BY stream_seq",
        (old,),
    ).fetchall()
    assert [tuple(r) for r in kept] == [(1, "applied", '{"i":0}'), (2, "conflict", '{"i":1}')]
    new = store.conn.execute(
        "SELECT stream, stream_seq, state, payload FROM outbox WHERE client_id = ?"
        " ORDER BY stream, stream_seq",
        (store.client_id,),
    ).fetchall()
    assert [tuple(r) for r in new] == [
        ("events", 1, "pending", '{"i":1}'),
        ("events", 2, "pending", '{"i":2}'),
        ("gps", 1, "pending", '{"b":0}'),
    ]
    assert _counters(store) == {"events": (2, 0), "gps": (1, 0)}
    assert box.conflict_count() == 1


def test_an_answer_for_a_client_id_we_left_changes_nothing(store: Store) -> None:
    box = Outbox(store)
    box.append("events", "note", {"i": 0}, assignment_version=1, gps_time=None)
    outcome = box.record_push_result(
        "events",
        "some-older-client-id",
        {"last_processed_seq": 1, "results": [{"seq": 1, "status": "applied"}]},
    )
    assert outcome == PushOutcome(0, 0, 0, None, client_rebased=True)
    assert box.pending_counts()["events"] == 1


def test_the_byte_cap_counts_each_payload_plus_200_bytes_of_envelope(store: Store) -> None:
    box = Outbox(store)
    for i in range(3):
        box.append("events", "note", {"i": i}, assignment_version=1, gps_time=None)
    each = len('{"i":0}') + 200
    assert len(box.pending("events", max_count=10, max_bytes=2 * each)) == 2
    assert len(box.pending("events", max_count=10, max_bytes=2 * each - 1)) == 1
    assert len(box.pending("events", max_count=10, max_bytes=3 * each)) == 3


def test_sealing_makes_full_batches_unless_partial_and_splits_at_a_new_version(
    store: Store,
) -> None:
    box = Outbox(store)
    t0 = 1_777_881_600_000
    box.buffer_fixes(
        [[t0 + 1000 * i, 43.47, -80.53, None, None, None] for i in range(5)], assignment_version=1
    )
    box.buffer_fixes(
        [[t0 + 1000 * i, 43.47, -80.53, None, None, None] for i in range(5, 7)],
        assignment_version=2,
    )
    assert box.buffered_fixes() == 7
    box.buffer_fixes([[t0 + 7000, 43.47, -80.53, None, None, None]], assignment_version=2)
    # full batches only, but a new version ends the batch before it: the fifth fix of
    # version 1 will never get company, so it goes alone; the last one of version 2 waits
    assert box.seal_fixes(2, partial=False) == 4
    assert box.buffered_fixes() == 1
    assert box.seal_fixes(2, partial=True) == 1
    assert box.buffered_fixes() == 0
    assert box.seal_fixes(2, partial=True) == 0
    events = box.pending("gps", max_count=10, max_bytes=10**6)
    assert [(e.assignment_version, e.gps_time) for e in events] == [
        (1, "2026-05-04T08:00:01.000Z"),
        (1, "2026-05-04T08:00:03.000Z"),
        (1, "2026-05-04T08:00:04.000Z"),
        (2, "2026-05-04T08:00:06.000Z"),
        (2, "2026-05-04T08:00:07.000Z"),
    ]
    assert [len(json.loads(e.payload_json)["columns"][0]) for e in events] == [2, 2, 1, 2, 1]
    assert box.pending_counts()["gps"] == 8
    assert box.pending_rows("gps") == 5


def test_reconcile_with_a_server_that_has_more_than_we_saw_acked_is_not_a_regression(
    store: Store,
) -> None:
    """The ack for seq 2 was lost: the server is ahead of our acks, not of our numbers."""
    box = Outbox(store)
    for i in range(3):
        box.append("events", "note", {"i": i}, assignment_version=1, gps_time=None)
    _ack(box, store, "events", range(1, 2))
    client = store.client_id
    assert box.reconcile({"events": 2}) is False
    assert store.client_id == client
    assert [e.seq for e in box.pending("events", max_count=10, max_bytes=10**6)] == [2, 3]
    assert _counters(store)["events"] == (3, 1)


def test_answers_as_parsed_from_the_wire_are_recorded(store: Store) -> None:
    """Statuses parsed from a response body are equal to, not the same objects as, the
    protocol's constants: every comparison must be by value."""
    box = Outbox(store)
    for i in range(3):
        box.append("events", "note", {"i": i}, assignment_version=1, gps_time=None)
    body = b'{"last_processed_seq": 3, "results": [{"seq": 1, "status": "applied"},'
    body += b' {"seq": 2, "status": "rejected", "reason": "r"},'
    body += b' {"seq": 3, "status": "duplicate"}]}'
    outcome = box.record_push_result("events", store.client_id, json.loads(body))
    assert outcome == PushOutcome(2, 1, 0, None, client_rebased=False)
    assert box.problem_count() == 1


def test_the_ack_time_is_keyword_only(store: Store) -> None:
    box = Outbox(store)
    with pytest.raises(TypeError):
        box.record_push_result("events", store.client_id, {}, None)  # type: ignore[misc]
