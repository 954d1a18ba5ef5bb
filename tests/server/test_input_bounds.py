"""RELIABILITY "Trust boundaries" for what goes in and comes out: export cells a
spreadsheet would run, payloads nested deep or huge, and device or GPS times far from
when the server received them."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from server.clock import Clock, iso_z, use_clock
from server.embedded import EmbeddedServer
from server.export import to_csv
from server.facts import recompute_segment_state
from server.request_text import nul_in_body
from tests.server.conftest import NewStore
from tests.server.helpers import SUPERVISOR_LOGIN, event, login, push, today_assignment

# Far from any day this suite could run on: nothing passes by reading the real clock.
NOW = datetime(2031, 6, 14, 9, 45, tzinfo=UTC)


@pytest.fixture(scope="module")
def clock() -> Iterator[Clock]:
    with use_clock(Clock(lambda: NOW)) as installed:
        yield installed


@pytest.fixture(scope="module")
def srv(new_store: NewStore, clock: Clock) -> Iterator[EmbeddedServer]:
    embedded = EmbeddedServer(new_store(), seed_demo=True)
    embedded.start()
    yield embedded
    embedded.stop()


@pytest.fixture
def h(srv: EmbeddedServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=srv.url, timeout=10) as client:
        yield client


def _results(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


# -- 7: CSV formula injection ---------------------------------------------------------

HOSTILE = ["\r=2+2", "\t=1+1", " =SUM(A1)", "\n@cmd", "\r\n+1", "-2+3", "=HYPERLINK(x)", "\t"]


def test_every_cell_a_spreadsheet_would_run_is_neutralised_and_line_breaks_quoted() -> None:
    rows = [{"note": text, "n": 1} for text in HOSTILE]
    text = to_csv(rows, ["note", "n"])
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert len(parsed) == len(HOSTILE) + 1, "a line break inside a cell started a new row"
    for (cell, n), original in zip(parsed[1:], HOSTILE, strict=True):
        assert n == "1"
        assert cell.startswith("'"), repr(cell)
        assert cell[1:] == original
    # A spreadsheet splits rows at any bare CR or LF: every one must sit inside quotes.
    outside = text.replace('""', "")
    for chunk in outside.split('"')[::2]:
        assert "\r" not in chunk.rstrip("\r\n").replace("\r\n", "\n")
    assert to_csv([{"note": "plain, fine", "n": -5}], ["note", "n"]).splitlines()[1] == (
        '"plain, fine",-5'
    )


def test_exported_feedback_neutralises_hostile_notes(h: httpx.Client) -> None:
    auth = login(h)
    events = [event(n, "note", {"text": text}) for n, text in enumerate(HOSTILE, 1)]
    assert {r["status"] for r in _results(push(h, auth, str(uuid.uuid4()), events))} == {"applied"}
    exported = h.get("/api/v1/export/feedback", headers=login(h, SUPERVISOR_LOGIN)).text
    answers = [r["answer"] for r in csv.DictReader(io.StringIO(exported, newline=""))]
    for text in HOSTILE:
        assert "'" + text in answers


# -- 8: nesting depth and size at push time; reading never fails ----------------------


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


def test_deep_or_huge_payloads_are_rejected_at_push_and_reading_still_works(
    h: httpx.Client,
) -> None:
    auth = login(h)
    deep = event(1, "note", {"text": "deep", "extra": _nested(255)})
    huge = event(2, "note", {"text": "huge", **{f"k{n}": "v" * 3000 for n in range(400)}})
    fine = event(3, "note", {"text": "fine"})
    results = _results(push(h, auth, str(uuid.uuid4()), [deep, huge, fine]))
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied"]
    assert "nested" in results[0]["reason"]
    assert "bytes" in results[1]["reason"]
    listed = h.get("/api/v1/facts", headers=auth)
    assert listed.status_code == 200, listed.text[:200]


def test_stored_data_that_would_break_a_reader_is_shown_not_a_500(
    h: httpx.Client, srv: EmbeddedServer
) -> None:
    auth = login(h)
    staff = login(h, SUPERVISOR_LOGIN)
    assignment = today_assignment(h, auth)
    route = assignment["route"]["id"]
    segment = assignment["route"]["segments"]["features"][0]["id"]
    # Rows stored before the push-time bounds existed (or by an older server).
    odd = [
        ("note", {"text": "deep", "extra": _nested(300)}),
        (
            "exception",
            {
                "kind": "parked_cars",
                "route_id": route,
                "segment_id": segment,
                "note": {"not": "text"},
            },
        ),
        ("exception", {"kind": ["not", "text"], "route_id": route, "segment_id": segment}),
    ]
    with srv.store.write() as conn:
        for n, (type_, payload) in enumerate(odd, 1):
            conn.execute(
                "INSERT INTO facts(client_id, stream, seq, type, sha256, payload_json,"
                " status, username, device_id, received_at) VALUES"
                " ('old-rows', 'events', ?, ?, 'x', ?, 'applied', 'demo', 'demo-tablet-1', ?)",
                (n, type_, json.dumps(payload), iso_z(NOW)),
            )
    for path, who in (
        ("/api/v1/facts", auth),
        ("/api/v1/facts", staff),
        (f"/api/v1/routes/{route}/history", staff),
        ("/api/v1/feedback", staff),
        ("/api/v1/metrics", staff),
        ("/api/v1/export/exceptions", staff),
        ("/api/v1/export/feedback", staff),
        ("/api/v1/export/progress?format=geojson", staff),
    ):
        response = h.get(path, headers=who)
        assert response.status_code == 200, (path, response.text[:200])
    facts = h.get("/api/v1/facts", params={"limit": 1000}, headers=staff).json()["facts"]
    deep = next(f for f in facts if f["client_id"] == "old-rows" and f["seq"] == 1)
    assert "unreadable" in json.dumps(deep["payload"])


# -- 9: device or GPS time far from the receive time ----------------------------------


def _swept(assignment: dict[str, Any], index: int, **times: Any) -> dict[str, Any]:
    payload = {
        "assignment_id": assignment["id"],
        "route_id": assignment["route"]["id"],
        "segment_id": assignment["route"]["segments"]["features"][index]["id"],
        "covered_fraction": 1.0,
        "source": "inferred",
    }
    return event(1, "segment_swept", payload, assignment_version=assignment["version"], **times)


def test_a_time_far_from_the_receive_time_is_flagged_and_never_the_last_sweep(
    h: httpx.Client, srv: EmbeddedServer
) -> None:
    auth = login(h, {"username": "demo", "password": "sweep-demo", "device_id": "demo-tablet-1"})
    staff = login(h, SUPERVISOR_LOGIN)
    assignment = today_assignment(h, auth)
    route = assignment["route"]["id"]
    recent = iso_z(NOW - timedelta(minutes=1))
    cases: dict[int, dict[str, Any]] = {
        0: {"device_time": recent, "gps_time": "9999-12-31T00:00:00Z"},
        1: {"device_time": "1970-01-01T00:00:05Z", "gps_time": None},
        2: {"device_time": recent, "gps_time": iso_z(NOW + timedelta(days=3))},
        3: {"device_time": recent, "gps_time": iso_z(NOW - timedelta(minutes=20))},
    }
    flags = {}
    for index, times in cases.items():
        [result] = _results(push(h, auth, str(uuid.uuid4()), [_swept(assignment, index, **times)]))
        assert result["status"] == "applied"
        flags[index] = result.get("flags") or []
    assert all("implausible_time" in flags[i] for i in (0, 1, 2)), flags
    assert "implausible_time" not in flags[3]

    status = {
        s["segment_id"]: s["swept_at"]
        for s in h.get(f"/api/v1/routes/{route}/status", headers=staff).json()["segments"]
    }
    features = assignment["route"]["segments"]["features"]
    for index in (0, 1, 2):
        assert status[features[index]["id"]] == iso_z(NOW), "the receive time stands in"
    assert status[features[3]["id"]] == iso_z(NOW - timedelta(minutes=20))

    # Shown to the supervisor: the fact carries the flag, the history the claimed time.
    facts = h.get(
        "/api/v1/facts", params={"type": "segment_swept", "limit": 1000}, headers=staff
    ).json()["facts"]
    assert sum("implausible_time" in f["flags"] for f in facts) >= 3
    history = h.get(f"/api/v1/routes/{route}/history", headers=staff).json()["segments"]
    first = next(s for s in history if s["segment_id"] == features[0]["id"])
    assert first["swept_at"] == iso_z(NOW)
    assert [w["claimed_time"] for w in first["sweeps"]] == ["9999-12-31T00:00:00Z"]
    assert first["sweeps"][0]["time"] == iso_z(NOW)

    # Recomputing from the facts alone gives the same answer.
    with srv.store.write() as conn:
        recompute_segment_state(conn)
    again = {
        s["segment_id"]: s["swept_at"]
        for s in h.get(f"/api/v1/routes/{route}/status", headers=staff).json()["segments"]
    }
    assert again == status


# -- text no store may hold differently: U+0000 ---------------------------------------

NUL = "\x00"


def _nul_requests(
    h: httpx.Client, auth: dict[str, str], staff: dict[str, str]
) -> dict[str, httpx.Request]:
    """One request per way text reaches the server: body field, nested body field, path
    parameter, query parameter; each carrying U+0000 where a stored column would get it."""
    body = {"protocol": 1, "client_id": "c", "device_id": "demo-tablet-1", "stream": "events"}
    return {
        "login username": h.build_request(
            "POST", "/api/v1/auth/login", json={"username": f"de{NUL}mo", "password": "x"}
        ),
        "push client_id": h.build_request(
            "POST",
            "/api/v1/sync/push",
            json={**body, "client_id": f"c{NUL}", "events": [event(1)]},
            headers=auth,
        ),
        "push event type": h.build_request(
            "POST",
            "/api/v1/sync/push",
            json={**body, "events": [event(1, f"no{NUL}te")]},
            headers=auth,
        ),
        "pull client_id": h.build_request(
            "POST",
            "/api/v1/sync/pull",
            json={"protocol": 1, "client_id": f"c{NUL}", "cursor": None},
            headers=auth,
        ),
        "message text": h.build_request(
            "POST", "/api/v1/messages", json={"text": f"hi{NUL}", "to": "*"}, headers=staff
        ),
        "reassign device": h.build_request(
            "POST",
            "/api/v1/assignments/none/reassign",
            json={"device_id": f"tab{NUL}"},
            headers=staff,
        ),
        "route in path": h.build_request("GET", "/api/v1/routes/r%00/status", headers=auth),
        "form in path": h.build_request("GET", "/api/v1/forms/f%00", headers=staff),
        "evidence in path": h.build_request("GET", "/api/v1/evidence/r%00/s", headers=staff),
        "facts query": h.build_request(
            "GET", "/api/v1/facts", params={"username": f"demo{NUL}"}, headers=staff
        ),
        "assignments query": h.build_request(
            "GET", "/api/v1/assignments", params={"operator": f"demo{NUL}"}, headers=staff
        ),
    }


def test_text_holding_nul_is_refused_alike_on_every_store(h: httpx.Client) -> None:
    """PostgreSQL's text cannot hold U+0000 (it answered 500 where SQLite stored it): both
    stores refuse it in the request, 422 naming it."""
    auth = login(h, {"username": "demo", "password": "sweep-demo", "device_id": "demo-tablet-1"})
    staff = login(h, SUPERVISOR_LOGIN)
    answers = {}
    for name, request in _nul_requests(h, auth, staff).items():
        response = h.send(request)
        answers[name] = (response.status_code, response.text[:200])
    refused = {name: a for name, a in answers.items() if a[0] == 422 and "U+0000" in a[1]}
    assert refused == answers, {n: a for n, a in answers.items() if n not in refused}


def test_only_text_holding_nul_outside_a_payload_is_found() -> None:
    assert nul_in_body(b'{"a": ["x", "\\u0000"]}') == "body.a.1"
    assert nul_in_body(b'{"a": "\\\\u0000"}') is None  # a backslash, then "u0000"
    assert nul_in_body(b'{"events": [{"payload": {"t": "\\u0000"}}]}') is None
    assert nul_in_body(b'{"a": "plain"}') is None


def test_nul_inside_a_payload_is_kept_as_sent(h: httpx.Client) -> None:
    """A payload is stored as JSON, where U+0000 is an escape: it is kept on every store."""
    auth = login(h)
    text = f"a{NUL}b"
    pushed = _results(push(h, auth, str(uuid.uuid4()), [event(1, "note", {"text": text})]))
    assert [r["status"] for r in pushed] == ["applied"]
    facts = h.get("/api/v1/facts", params={"type": "note", "limit": 1000}, headers=auth).json()
    assert text in [f["payload"].get("text") for f in facts["facts"]]
