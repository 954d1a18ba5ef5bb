"""The server's side of the golden wire vectors: it accepts the pinned events as sent by
every deployed tablet, stores them byte for byte, and decodes the pinned batches."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from server.embedded import EmbeddedServer
from server.validation import check_fix_batch
from tests.server.helpers import push
from tests.wire.golden import load, named

V1 = load(1)


def _pushed(stream: str) -> list[dict[str, Any]]:
    return [p["event"] for p in V1["push"] if p["stream"] == stream]


def test_the_pinned_events_are_applied_and_stored_as_sent(
    http: httpx.Client, auth: dict[str, str], client_id: str, server: EmbeddedServer
) -> None:
    for stream in ("events", "gps"):
        events = _pushed(stream)
        response = push(http, auth, client_id, events, stream=stream)
        assert response.status_code == 200, response.text
        assert [(r["seq"], r["status"]) for r in response.json()["results"]] == [
            (e["seq"], "applied") for e in events
        ]
    canonical = {v["sha256"]: v for v in V1["content_hash"]}
    with server.store.read() as conn:
        rows = conn.execute(
            "SELECT stream, seq, sha256, payload_json, fix_count FROM facts"
            " WHERE client_id = ? ORDER BY stream, seq",
            (client_id,),
        ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (p["stream"], p["event"]["seq"], p["event"]["sha256"])
        for p in sorted(V1["push"], key=lambda p: (p["stream"], p["event"]["seq"]))
    ]
    for _, _, sha, payload_json, _ in rows:
        # the payload stored is the canonical text inside the hashed content
        assert f'"payload":{payload_json},' in canonical[sha]["canonical"]
    assert rows[-1][4] == 1  # the gps batch holds one fix


def test_one_changed_byte_of_a_pinned_event_is_rejected(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    note = dict(_pushed("events")[0])
    note["payload"] = {"text": note["payload"]["text"].replace("é", "e", 1)}
    [result] = push(http, auth, client_id, [note]).json()["results"]
    assert result == {
        "seq": 1,
        "status": "rejected",
        "reason": "sha256 does not match content",
    }


@pytest.mark.parametrize("vector", named(V1["fix_batches"]))
def test_the_server_decodes_the_pinned_batches(vector: dict[str, Any]) -> None:
    reason, count, _ = check_fix_batch(vector["payload"], max_fixes=1000)
    if "decode_error" in vector:
        assert (reason, count) == (vector["decode_error"], 0)
    else:
        assert (reason, count) == (None, len(vector["decoded"]))


@pytest.mark.parametrize("vector", named(V1["fix_batch_decode_errors"]))
def test_the_server_refuses_malformed_batches_with_their_reason(vector: dict[str, Any]) -> None:
    assert check_fix_batch(vector["payload"], max_fixes=1000) == (vector["reason"], 0, 0)
