"""Push semantics per SYNC.md: exactly once, in order, per (client_id, stream)."""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx
import pytest

from server.embedded import EmbeddedServer
from server.settings import Settings
from tests.server.conftest import NewStore
from tests.server.helpers import (
    DEMO_LOGIN,
    SUPERVISOR_LOGIN,
    event,
    fix_batch,
    login,
    push,
    push_body,
    raw_fix_batch_payload,
)
from wire.protocol import FIX_FIELDS, decode_fix_batch, encode_fix_batch


def statuses(response: httpx.Response) -> list[tuple[int, str]]:
    assert response.status_code == 200, response.text
    return [(r["seq"], r["status"]) for r in response.json()["results"]]


def test_applied_then_duplicate_on_resend(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    events = [event(1), event(2), event(3)]
    first = push(http, auth, client_id, events)
    assert statuses(first) == [(1, "applied"), (2, "applied"), (3, "applied")]
    body = first.json()
    assert body["stream"] == "events"
    assert body["last_processed_seq"] == 3
    assert body["server_time"].endswith("Z")
    assert all("reason" not in r and "expected" not in r for r in body["results"])
    again = push(http, auth, client_id, events)
    assert statuses(again) == [(1, "duplicate"), (2, "duplicate"), (3, "duplicate")]
    assert again.json()["last_processed_seq"] == 3


def test_reused_seq_with_other_content_is_a_conflict(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    push(http, auth, client_id, [event(1)])
    other = event(1, payload={"text": "something else"})
    assert statuses(push(http, auth, client_id, [other, event(2)])) == [
        (1, "conflict_reused_seq"),
        (2, "applied"),
    ]


def test_the_same_seq_twice_in_one_batch_is_applied_then_duplicate(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    """Within one push the first copy is not yet readable where writes wait for the
    commit (PostgreSQL): the second must still be known as the same fact."""
    batch = fix_batch(1)
    other = fix_batch(1, [[1_700_000_000_000, 43.0, -80.0, 3.0, 90.0, 4.0]])
    answer = push(http, auth, client_id, [batch, batch, other], stream="gps")
    assert statuses(answer) == [(1, "applied"), (1, "duplicate"), (1, "conflict_reused_seq")]
    assert answer.json()["last_processed_seq"] == 1


def test_gap_stops_and_names_the_expected_seq(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    response = push(http, auth, client_id, [event(1), event(4), event(5)])
    assert statuses(response) == [(1, "applied"), (4, "gap")]
    assert response.json()["results"][1]["expected"] == 2
    assert response.json()["last_processed_seq"] == 1
    resend = push(http, auth, client_id, [event(2), event(3), event(4), event(5)])
    assert statuses(resend) == [(2, "applied"), (3, "applied"), (4, "applied"), (5, "applied")]


def test_first_push_must_start_at_one(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    response = push(http, auth, client_id, [event(7)])
    assert response.json()["results"] == [{"seq": 7, "status": "gap", "expected": 1}]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (event(2, sha256="0" * 64), "sha256 does not match content"),
        (event(2, "teleported"), "unknown event type 'teleported'"),
        (event(2, "shift_started", {"nothing": 1}), "'assignment_id'"),
        (event(2, "note", [1, 2]), "must be a JSON object"),
        (event(2, device_time="yesterday-ish"), "device_time"),
        (
            event(
                2,
                "segment_swept",
                {
                    "assignment_id": "a",
                    "route_id": "uptown-north",
                    "segment_id": "osm-0-0",
                    "covered_fraction": 1.0,
                    "source": "inferred",
                },
            ),
            "unknown segment",
        ),
        (
            event(
                2,
                "segment_swept",
                {
                    "assignment_id": "a",
                    "route_id": "uptown-north",
                    "segment_id": "x",
                    "covered_fraction": 7,
                    "source": "inferred",
                },
            ),
            "covered_fraction",
        ),
    ],
)
def test_invalid_event_is_rejected_with_reason_and_does_not_block(
    http: httpx.Client, auth: dict[str, str], client_id: str, bad: dict[str, Any], reason: str
) -> None:
    response = push(http, auth, client_id, [event(1), bad, event(3)])
    assert statuses(response) == [(1, "applied"), (2, "rejected"), (3, "applied")]
    assert reason in response.json()["results"][1]["reason"]
    assert response.json()["last_processed_seq"] == 3
    # The rejected event is remembered: resending it is a duplicate, not a new verdict.
    assert statuses(push(http, auth, client_id, [bad])) == [(2, "duplicate")]


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"fields": ["t", "x"], "columns": [[1, 2]]}, "'fields' must be"),
        ({"fields": list(FIX_FIELDS), "columns": [[1]]}, "'scales' must be"),
        ({"fields": None, "columns": []}, "'fields' must be"),
        ("not an object", "must be a JSON object"),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_malformed_fix_batch_is_rejected(
    http: httpx.Client, auth: dict[str, str], client_id: str, payload: Any, reason: str
) -> None:
    bad = event(1, "fix_batch", payload, stream="gps", assignment_version=None)
    response = push(http, auth, client_id, [bad, fix_batch(2)], stream="gps")
    assert statuses(response)[1] == (2, "applied")
    first = response.json()["results"][0]
    assert first["status"] == "rejected"
    assert reason in first["reason"]


@pytest.mark.parametrize(
    ("columns", "reason"),
    [
        ([[] for _ in range(6)], "non-empty"),
        ([[1, 2, 3]], "must be 6 lists"),
        ([[1], [2, 3], [1], [1], [1], [1]], "same length"),
        ([[1], ["43"], [-80], [None], [None], [None]], "neither an integer nor null"),
        ([[1], [4.5], [-80], [None], [None], [None]], "neither an integer nor null"),
        ([[None], [43], [-80], [None], [None], [None]], "lacks t_ms"),
        ([[1], [True], [-80], [None], [None], [None]], "neither an integer nor null"),
    ],
)
def test_fix_batch_with_bad_fixes_is_rejected(
    http: httpx.Client, auth: dict[str, str], client_id: str, columns: Any, reason: str
) -> None:
    bad = event(1, "fix_batch", raw_fix_batch_payload(columns), stream="gps")
    response = push(http, auth, client_id, [bad], stream="gps")
    [result] = response.json()["results"]
    assert result["status"] == "rejected"
    assert reason in result["reason"]


def test_fix_batch_round_trips_through_the_compact_encoding() -> None:
    rows = [
        [1_700_000_000_000 + 1000 * i, 43.47 + i * 1e-4, -80.52, 3.25, None, 4.0] for i in range(4)
    ]
    decoded = decode_fix_batch(encode_fix_batch(rows))
    assert [d[0] for d in decoded] == [r[0] for r in rows]
    assert [d[4] for d in decoded] == [None] * 4
    for got, sent in zip(decoded, rows, strict=True):
        assert got[1:4] == pytest.approx(sent[1:4], abs=1e-7)


def test_odd_fixes_are_kept_not_rejected(
    http: httpx.Client, auth: dict[str, str], client_id: str, server: EmbeddedServer
) -> None:
    fixes = [[1, 0.0, 0.0, None, None, None], [2, 43.47, -80.52, 1.0, None, 250.0]]
    response = push(http, auth, client_id, [fix_batch(1, fixes)], stream="gps")
    assert statuses(response) == [(1, "applied")]
    with server.store.read() as conn:
        row = conn.execute(
            "SELECT fix_count, flags FROM facts WHERE client_id = ? AND stream = 'gps'",
            (client_id,),
        ).fetchone()
    assert (row[0], row[1]) == (2, "odd_fixes=1")


def test_streams_are_independent(http: httpx.Client, auth: dict[str, str], client_id: str) -> None:
    assert statuses(push(http, auth, client_id, [event(1), event(2)])) == [
        (1, "applied"),
        (2, "applied"),
    ]
    gps = push(http, auth, client_id, [fix_batch(1)], stream="gps")
    assert statuses(gps) == [(1, "applied")]
    assert gps.json()["stream"] == "gps"
    assert gps.json()["last_processed_seq"] == 1
    # A fact type of the other stream is not accepted on this one.
    wrong = push(http, auth, client_id, [event(2, "note", stream="gps")], stream="gps")
    assert wrong.json()["results"][0]["status"] == "rejected"


def test_gzip_body_is_accepted(http: httpx.Client, auth: dict[str, str], client_id: str) -> None:
    events = [event(i) for i in range(1, 501)]
    response = push(http, auth, client_id, events, compress=True)
    assert response.json()["last_processed_seq"] == 500
    assert {s for _, s in statuses(response)} == {"applied"}


def test_empty_push_reports_the_high_water(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    push(http, auth, client_id, [event(1)])
    response = push(http, auth, client_id, [])
    assert response.json()["last_processed_seq"] == 1
    assert response.json()["results"] == []


def _raw_push(
    http: httpx.Client, auth: dict[str, str], body: bytes, **headers: str
) -> httpx.Response:
    return http.post(
        "/api/v1/sync/push",
        content=body,
        headers={**auth, "Content-Type": "application/json", **headers},
    )


def test_gzip_bomb_is_413(http: httpx.Client, auth: dict[str, str], client_id: str) -> None:
    inflated = json.dumps(push_body(client_id, [event(1)])).encode()
    bomb = gzip.compress(inflated[:-2] + b" " * (64 * 1024 * 1024) + inflated[-2:])
    assert len(bomb) < 200_000
    response = _raw_push(http, auth, bomb, **{"Content-Encoding": "gzip"})
    assert response.status_code == 413
    assert "inflated" in response.json()["detail"]


def test_broken_gzip_is_400(http: httpx.Client, auth: dict[str, str]) -> None:
    response = _raw_push(http, auth, b"\x1f\x8b not really gzip", **{"Content-Encoding": "gzip"})
    assert response.status_code == 400
    assert "gzip" in response.json()["detail"]


def test_unknown_content_encoding_is_415(http: httpx.Client, auth: dict[str, str]) -> None:
    response = _raw_push(http, auth, b"{}", **{"Content-Encoding": "br"})
    assert response.status_code == 415


def test_too_many_events_is_413(new_store: NewStore) -> None:
    settings = Settings(max_events_per_push=10)
    with (
        EmbeddedServer(new_store(), settings=settings) as url,
        httpx.Client(base_url=url) as http,
    ):
        auth = login(http)
        response = push(http, auth, "c", [event(i) for i in range(1, 12)])
        assert response.status_code == 413
        assert "at most 10" in response.json()["detail"]


def test_oversized_body_is_413(new_store: NewStore) -> None:
    settings = Settings(max_body_bytes=10_000)
    with (
        EmbeddedServer(new_store(), settings=settings) as url,
        httpx.Client(base_url=url) as http,
    ):
        auth = login(http)
        big = event(1, payload={"text": "x" * 20_000})
        response = push(http, auth, "c", [big])
        assert response.status_code == 413


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2", b"", b"null", b'{"protocol": 1}', b"\xff\xfe"],
)
def test_malformed_body_is_4xx_with_detail(
    http: httpx.Client, auth: dict[str, str], body: bytes
) -> None:
    response = _raw_push(http, auth, body)
    assert 400 <= response.status_code < 500
    assert isinstance(response.json()["detail"], str)
    assert response.json()["detail"]


def test_out_of_range_numbers_are_422_not_500(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    bad = event(1)
    bad["seq"] = 2**70
    response = push(http, auth, client_id, [bad])
    assert response.status_code == 422
    assert "seq" in response.json()["detail"]


def test_nan_payload_is_rejected_not_500(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    text = json.dumps(push_body(client_id, [event(1, payload={"x": 1})]))
    text = text.replace('"x": 1', '"x": NaN')
    response = _raw_push(http, auth, text.encode())
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert (result["status"], result["reason"]) == (
        "rejected",
        "payload contains a number that is not finite (NaN or Infinity)",
    )


def test_protocol_mismatch_is_426(http: httpx.Client, auth: dict[str, str], client_id: str) -> None:
    body = push_body(client_id, [event(1)], protocol=2)
    response = http.post("/api/v1/sync/push", json=body, headers=auth)
    assert response.status_code == 426
    assert response.json()["detail"].startswith("update required")
    # Even a body this server cannot parse any more is told to update, not 422.
    future = {"protocol": 3, "client": {"id": client_id}, "batches": []}
    response = http.post("/api/v1/sync/push", json=future, headers=auth)
    assert response.status_code == 426


def test_push_without_token_is_401(http: httpx.Client, client_id: str) -> None:
    response = http.post("/api/v1/sync/push", json=push_body(client_id, [event(1)]))
    assert response.status_code == 401


def test_client_id_is_bound_to_its_first_account(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    push(http, auth, client_id, [event(1)])
    supervisor = login(http, SUPERVISOR_LOGIN)
    response = http.post(
        "/api/v1/sync/push", json=push_body(client_id, [event(2)]), headers=supervisor
    )
    assert response.status_code == 403
    other_device = push_body(client_id, [event(2)], device_id="another-tablet")
    response = http.post("/api/v1/sync/push", json=other_device, headers=auth)
    assert response.status_code == 403


def test_token_bound_to_a_device_cannot_push_for_another(
    http: httpx.Client, client_id: str
) -> None:
    token = http.post(
        "/api/v1/auth/login", json={**DEMO_LOGIN, "device_id": "demo-tablet-1"}
    ).json()["access_token"]
    body = push_body(client_id, [event(1)], device_id="someone-elses-tablet")
    response = http.post(
        "/api/v1/sync/push", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403


def test_stale_assignment_version_is_accepted(
    http: httpx.Client, auth: dict[str, str], client_id: str, server: EmbeddedServer
) -> None:
    assignment = http.get("/api/v1/assignments/today", headers=auth).json()["assignments"][0]
    started = event(1, "shift_started", {"assignment_id": assignment["id"]}, assignment_version=0)
    assert statuses(push(http, auth, client_id, [started])) == [(1, "applied")]
    with server.store.read() as conn:
        flags = conn.execute(
            "SELECT flags FROM facts WHERE client_id = ?", (client_id,)
        ).fetchone()[0]
    assert flags == "stale_assignment"
