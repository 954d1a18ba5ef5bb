"""server/facts.py's rules called directly on a real store (each kind): who may push, how a
sweep folds into the segment state (sides, passes, the latest time winning), replaying
the facts gives the same state, and what is stored for a payload that is not JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from server.auth import ADMIN, OPERATOR, SUPERVISOR, User
from server.dbapi import Connection, Store
from server.errors import ApiError
from server.facts import _payload_json, apply_push, recompute_segment_state, record_sweep
from server.schemas import PushRequest
from server.settings import Settings
from tests.server.helpers import event
from wire.protocol import PROTOCOL_VERSION

T1, T2 = "2026-05-04T08:00:00.000Z", "2026-05-04T09:00:00.000Z"


@pytest.fixture
def conn(store: Store) -> Iterator[Connection]:
    with store.write() as c:
        yield c


def _state(conn: Connection) -> list[tuple[object, ...]]:
    return [
        tuple(r)
        for r in conn.execute(
            "SELECT segment_id, swept_at, swept_by, passes, sides, last_source"
            " FROM segment_state ORDER BY segment_id"
        )
    ]


def _sweep(side: str | None, source: str = "gps") -> dict[str, object]:
    payload: dict[str, object] = {"route_id": "r1", "segment_id": "s1", "source": source}
    if side is not None:
        payload["side"] = side
    return payload


def test_sides_are_a_union_and_passes_a_count(conn: Connection) -> None:
    record_sweep(conn, _sweep("left"), T1, "ana")
    assert _state(conn) == [("s1", T1, "ana", 1, "left", "gps")]
    record_sweep(conn, _sweep("right", "operator"), T2, "bo")
    assert _state(conn) == [("s1", T2, "bo", 2, "left,right", "operator")]
    record_sweep(conn, _sweep("left"), T2, "cy")
    assert _state(conn) == [("s1", T2, "cy", 3, "left,right", "gps")]


def test_no_side_or_both_means_both_curbs(conn: Connection) -> None:
    record_sweep(conn, _sweep(None), T1, "ana")
    assert _state(conn)[0][4] == "left,right"
    record_sweep(conn, {**_sweep("both"), "segment_id": "s2"}, T1, "ana")
    assert _state(conn)[1][4] == "left,right"


def test_an_older_sweep_adds_its_side_and_pass_but_not_its_time(
    conn: Connection,
) -> None:
    record_sweep(conn, _sweep("left"), T2, "ana")
    record_sweep(conn, _sweep("right", "operator"), T1, "bo")
    assert _state(conn) == [("s1", T2, "ana", 2, "left,right", "gps")]


def test_replaying_the_applied_facts_rebuilds_the_same_state(conn: Connection) -> None:
    facts = [
        ("applied", _sweep("left"), T1, "ana"),
        ("applied", _sweep("right"), T2, "bo"),
        ("rejected", {**_sweep("left"), "segment_id": "s9"}, T2, "cy"),
        ("applied", {"route_id": 7, "segment_id": "s8", "source": "gps"}, T2, "cy"),
    ]
    for n, (status, payload, at, who) in enumerate(facts, 1):
        conn.execute(
            "INSERT INTO facts(client_id, stream, seq, type, sha256, gps_time, payload_json,"
            " status, username, device_id, received_at)"
            " VALUES ('c', 'events', ?, 'segment_swept', 'x', ?, ?, ?, ?, 'd', ?)",
            (n, at, json.dumps(payload), status, who, at),
        )
        if status == "applied" and isinstance(payload["route_id"], str):
            record_sweep(conn, payload, at, who)
    before = _state(conn)
    assert recompute_segment_state(conn) == 2
    assert _state(conn) == before
    assert [r[0] for r in before] == ["s1"]


def test_a_payload_that_is_not_json_is_stored_readably() -> None:
    assert _payload_json({"b": 1, "a": 2}) == '{"a":2,"b":1}'
    assert _payload_json({"b": 1, "a": float("nan")}) == '{"a": NaN, "b": 1}'
    deep: list[object] = []
    for _ in range(100_000):
        deep = [deep]
    assert json.loads(_payload_json(deep)) == {"unreadable": "the payload nested too deep to store"}


def _push(device_id: str = "tab-1") -> PushRequest:
    return _events_push(event(1), device_id=device_id)


@pytest.mark.parametrize("role", [SUPERVISOR, ADMIN])
def test_only_operators_push(store: Store, role: str) -> None:
    with pytest.raises(ApiError) as refused:
        apply_push(store, User("boss", role, "Boss", "tab-1"), _push(), Settings())
    assert (refused.value.status_code, refused.value.detail) == (
        403,
        f"only operators push facts; you are {role}",
    )


def test_a_session_without_a_device_pushes_only_for_an_assigned_one(store: Store) -> None:
    with pytest.raises(ApiError) as refused:
        apply_push(store, User("ana", OPERATOR, "Ana"), _push("tab-9"), Settings())
    assert (refused.value.status_code, refused.value.detail) == (
        403,
        "device 'tab-9' is not assigned to you",
    )


def _with_ana(db: Store) -> Store:
    with db.write() as c:
        c.execute(
            "INSERT INTO users(username, password_hash, role, display_name)"
            " VALUES ('ana', 'not-a-hash', 'operator', 'Ana')"
        )
    return db


def _events_push(*events: dict[str, object], device_id: str = "tab-1") -> PushRequest:
    return PushRequest.model_validate(
        {
            "protocol": PROTOCOL_VERSION,
            "client_id": "client-1",
            "device_id": device_id,
            "stream": "events",
            "events": list(events),
        }
    )


def test_an_applied_message_ack_marks_the_message_acked_and_delivered(store: Store) -> None:
    db = _with_ana(store)
    with db.write() as c:
        c.execute(
            "INSERT INTO messages(id, text, sender, sent_at, audience)"
            " VALUES ('m1', 'hi', 'sup', ?, 'all')",
            (T1,),
        )
        c.execute("INSERT INTO message_recipients(message_id, username) VALUES ('m1', 'ana')")
    ana = User("ana", OPERATOR, "Ana", "tab-1")
    bad = event(1, "message_ack", {"message_id": ""})  # rejected: needs a message id
    outcome = apply_push(db, ana, _events_push(bad), Settings())
    assert [r.status for r in outcome.results] == ["rejected"]
    with db.read() as c:
        assert tuple(
            c.execute("SELECT delivered_at, acked_at FROM message_recipients").fetchone()
        ) == (None, None)
    good = event(2, "message_ack", {"message_id": "m1"})
    outcome = apply_push(db, ana, _events_push(good), Settings())
    assert [r.status for r in outcome.results] == ["applied"]
    with db.read() as c:
        delivered, acked = c.execute(
            "SELECT delivered_at, acked_at FROM message_recipients"
        ).fetchone()
    assert delivered == acked is not None


def test_events_of_every_type_apply_without_an_assignment(store: Store) -> None:
    """Types that name no assignment or route apply as they are (message_ack aside, whose
    message must exist): nothing about one type leaks into another's handling."""
    db = _with_ana(store)
    events = [
        event(1, "exception", {"kind": "blocked"}),
        event(2, "note", {"text": "n"}),
        event(3, "storage_recovered", {"set_aside": "tablet.sqlite.damaged"}),
    ]
    outcome = apply_push(
        db, User("ana", OPERATOR, "Ana", "tab-1"), _events_push(*events), Settings()
    )
    assert outcome.last_processed_seq == 3
    assert [(r.seq, r.status, r.reason) for r in outcome.results] == [
        (1, "applied", None),
        (2, "applied", None),
        (3, "applied", None),
    ]


def test_one_number_skipped_is_a_gap_naming_the_expected_seq(store: Store) -> None:
    db = _with_ana(store)
    ana = User("ana", OPERATOR, "Ana", "tab-1")
    first = apply_push(db, ana, _events_push(event(1)), Settings())
    assert [(r.seq, r.status) for r in first.results] == [(1, "applied")]
    skipped = apply_push(db, ana, _events_push(event(3), event(4)), Settings())
    assert skipped.last_processed_seq == 1
    assert [(r.seq, r.status, r.expected) for r in skipped.results] == [(3, "gap", 2)]
    again = apply_push(db, ana, _events_push(event(1), event(2)), Settings())
    assert [(r.seq, r.status) for r in again.results] == [(1, "duplicate"), (2, "applied")]
    assert again.last_processed_seq == 2
