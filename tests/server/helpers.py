"""Request builders shared by the server tests (events with correct hashes, push, pull)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from server.dbapi import Store
from server.stores import is_postgres_url, open_store
from wire.protocol import (
    FIX_BATCH,
    FIX_FIELDS,
    FIX_SCALES,
    PROTOCOL_VERSION,
    content_hash,
    encode_fix_batch,
)

DEMO_LOGIN = {"username": "demo", "password": "sweep-demo"}
SUPERVISOR_LOGIN = {"username": "supervisor", "password": "sweep-super"}
# Facts happen "a minute ago" as this test session sees the clock (shifted too when the
# suite runs under faketime): the server's "today" windows must contain them. Fixed
# for the session so that the same event built twice has the same content hash.
FACT_TIME = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def login(http: httpx.Client, credentials: dict[str, str] | None = None) -> dict[str, str]:
    """Authorization header for a fresh token (the demo operator by default)."""
    response = http.post("/api/v1/auth/login", json=credentials or DEMO_LOGIN)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def event(
    seq: int,
    type_: str = "note",
    payload: Any = None,
    *,
    stream: str = "events",
    assignment_version: int | None = 1,
    device_time: str | None = FACT_TIME,
    gps_time: str | None = None,
    event_id: str | None = None,
    sha256: str | None = None,
) -> dict[str, Any]:
    """One push event with a correct content hash unless `sha256` is given."""
    if payload is None:
        payload = {"text": f"note {seq}"}
    digest = sha256 or content_hash(
        stream=stream,
        type=type_,
        payload=payload,
        assignment_version=assignment_version,
        device_time=device_time,
        gps_time=gps_time,
        id=event_id,
    )
    return {
        "seq": seq,
        "type": type_,
        "id": event_id,
        "sha256": digest,
        "assignment_version": assignment_version,
        "device_time": device_time,
        "gps_time": gps_time,
        "payload": payload,
    }


def fix_batch(seq: int, fixes: Sequence[Sequence[float | None]] | None = None) -> dict[str, Any]:
    if fixes is None:
        fixes = [[1_700_000_000_000 + i, 43.47, -80.52, 3.0, 90.0, 4.0] for i in range(5)]
    payload = encode_fix_batch(fixes) if fixes else raw_fix_batch_payload([])
    return event(seq, FIX_BATCH, payload, stream="gps", assignment_version=None)


def push_body(
    client_id: str,
    events: Sequence[dict[str, Any]],
    *,
    stream: str = "events",
    device_id: str = "demo-tablet-1",
    protocol: int = PROTOCOL_VERSION,
) -> dict[str, Any]:
    return {
        "protocol": protocol,
        "client_id": client_id,
        "device_id": device_id,
        "stream": stream,
        "events": list(events),
    }


def push(
    http: httpx.Client,
    auth: dict[str, str],
    client_id: str,
    events: Sequence[dict[str, Any]],
    *,
    stream: str = "events",
    compress: bool = False,
) -> httpx.Response:
    body = json.dumps(push_body(client_id, events, stream=stream)).encode()
    headers = {**auth, "Content-Type": "application/json"}
    if compress:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    return http.post("/api/v1/sync/push", content=body, headers=headers)


def pull(
    http: httpx.Client, auth: dict[str, str], client_id: str, cursor: str | None
) -> dict[str, Any]:
    response = http.post(
        "/api/v1/sync/pull",
        json={"protocol": PROTOCOL_VERSION, "client_id": client_id, "cursor": cursor},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def today_assignment(http: httpx.Client, auth: dict[str, str]) -> dict[str, Any]:
    response = http.get("/api/v1/assignments/today", headers=auth)
    assert response.status_code == 200, response.text
    assignments: list[dict[str, Any]] = response.json()["assignments"]
    assert assignments
    return assignments[0]


def raw_fix_batch_payload(columns: Any) -> dict[str, Any]:
    """A compact fix_batch payload with the given columns, valid or not, as sent."""
    return {"fields": list(FIX_FIELDS), "scales": list(FIX_SCALES), "columns": columns}


def store_option(target: str | Path) -> list[str]:
    """How `python -m server` is told the store: `--db FILE` or `--database URL`."""
    return ["--database", str(target)] if is_postgres_url(target) else ["--db", str(target)]


@contextmanager
def opened(target: str | Path) -> Iterator[Store]:
    """The store a command wrote to, for reading back what it did; closed afterwards."""
    store = open_store(target)
    try:
        yield store
    finally:
        store.close()
