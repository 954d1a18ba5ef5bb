"""Refresh-token rotation with its grace window, admin changes reaching the tablet,
stale_assignment flags, per-segment state recomputed from facts, load shedding."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from server.embedded import EmbeddedServer
from server.settings import Settings
from tests.server.conftest import NewStore
from tests.server.helpers import DEMO_LOGIN, event, login, pull, push, today_assignment
from tests.server.test_roles import ADMIN_LOGIN, OP2_LOGIN, seed_second_operator_and_admin


@pytest.fixture(scope="module")
def srv(new_store: NewStore) -> Iterator[EmbeddedServer]:
    embedded = EmbeddedServer(new_store(), settings=Settings(refresh_grace_s=1))
    embedded.start()
    seed_second_operator_and_admin(embedded.store)
    yield embedded
    embedded.stop()


@pytest.fixture
def h(srv: EmbeddedServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=srv.url, timeout=10) as client:
        yield client


def _refresh(h: httpx.Client, token: str) -> httpx.Response:
    return h.post("/api/v1/auth/refresh", json={"refresh_token": token})


def test_refresh_rotates_with_grace_then_replay_revokes_the_login(
    h: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    first = h.post("/api/v1/auth/login", json={**DEMO_LOGIN, "device_id": "demo-tablet-1"}).json()
    renewed = _refresh(h, first["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    second = renewed.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    auth = {"Authorization": f"Bearer {second['access_token']}"}
    assert h.get("/api/v1/assignments/today", headers=auth).status_code == 200
    # The tablet lost power before storing `second`: the old token still works once more.
    again = _refresh(h, first["refresh_token"])
    assert again.status_code == 200, again.text
    time.sleep(1.2)
    with caplog.at_level(logging.WARNING, logger="server.auth_api"):
        replay = _refresh(h, first["refresh_token"])
    assert replay.status_code == 401
    assert "already used" in replay.json()["detail"]
    assert any("refresh_token_replayed" in r.getMessage() for r in caplog.records)
    # The whole login is revoked: the descendants' tokens stop working too.
    assert h.get("/api/v1/assignments/today", headers=auth).status_code == 401
    assert _refresh(h, second["refresh_token"]).status_code == 401


def test_logout_revokes_access_and_refresh(h: httpx.Client) -> None:
    body = h.post("/api/v1/auth/login", json=DEMO_LOGIN).json()
    auth = {"Authorization": f"Bearer {body['access_token']}"}
    assert h.post("/api/v1/auth/logout", headers=auth).status_code == 200
    assert h.get("/api/v1/assignments/today", headers=auth).status_code == 401
    assert _refresh(h, body["refresh_token"]).status_code == 401


def test_expired_access_token_is_renewed_by_refresh(new_store: NewStore) -> None:
    with (
        EmbeddedServer(new_store(), settings=Settings(token_ttl_s=0)) as url,
        httpx.Client(base_url=url, timeout=10) as h,
    ):
        body = h.post("/api/v1/auth/login", json=DEMO_LOGIN).json()
        auth = {"Authorization": f"Bearer {body['access_token']}"}
        assert h.get("/api/v1/assignments/today", headers=auth).status_code == 401
        assert _refresh(h, body["refresh_token"]).status_code == 200


def test_admin_assigns_and_the_tablet_pulls_it_then_reassignment_flags_stale(
    h: httpx.Client, srv: EmbeddedServer
) -> None:
    boss = login(h, ADMIN_LOGIN)
    op2 = login(h, {**OP2_LOGIN, "device_id": "tab-2"})
    start = pull(h, op2, "op2-tab", None)
    response = h.post(
        "/api/v1/admin/assignments",
        json={
            "id": "asg-west-op2",
            "date": start["server_time"][:10],
            "operator": "op2",
            "device_id": "tab-2",
            "route_id": "uptown-west",
        },
        headers=boss,
    )
    assert response.status_code == 200, response.text
    assert response.json()["assignment"]["version"] == 1
    page = pull(h, op2, "op2-tab", start["cursor"])
    assert [(c["op"], c["id"]) for c in page["changes"]] == [("put", "asg-west-op2")]
    segment = page["changes"][0]["value"]["route"]["segments"]["features"][0]["id"]
    # Meanwhile (the tablet is offline) the route goes to the demo operator.
    moved = h.post(
        "/api/v1/admin/assignments",
        json={
            "id": "asg-west-op2",
            "date": start["server_time"][:10],
            "operator": "demo",
            "device_id": "demo-tablet-1",
            "route_id": "uptown-west",
        },
        headers=boss,
    )
    assert moved.json()["assignment"]["version"] == 2
    swept = event(
        1,
        "segment_swept",
        {
            "assignment_id": "asg-west-op2",
            "route_id": "uptown-west",
            "segment_id": segment,
            "covered_fraction": 0.9,
            "source": "confirmed",
            "side": "left",
        },
        assignment_version=1,
    )
    client = str(uuid.uuid4())
    result = h.post(
        "/api/v1/sync/push",
        json={
            "protocol": 1,
            "client_id": client,
            "device_id": "tab-2",
            "stream": "events",
            "events": [swept],
        },
        headers=op2,
    ).json()["results"][0]
    assert result == {"seq": 1, "status": "applied", "flags": ["stale_assignment"]}
    facts = h.get("/api/v1/facts", params={"username": "op2"}, headers=boss).json()["facts"]
    assert [f["flags"] for f in facts if f["client_id"] == client] == [["stale_assignment"]]
    status = h.get("/api/v1/routes/uptown-west/status", headers=boss).json()["segments"]
    assert [(s["segment_id"], s["sides"], s["last_source"]) for s in status] == [
        (segment, ["left"], "confirmed")
    ]
    gone = pull(h, op2, "op2-tab", page["cursor"])
    assert [(c["op"], c["id"]) for c in gone["changes"]] == [("del", "asg-west-op2")]


def test_segment_state_is_recomputed_from_facts_alone(h: httpx.Client, srv: EmbeddedServer) -> None:
    auth = login(h, DEMO_LOGIN)
    assignment = today_assignment(h, auth)
    segments = assignment["route"]["segments"]["features"]
    client = str(uuid.uuid4())

    def swept(seq: int, segment: str, side: str, when: str) -> dict[str, object]:
        payload = {
            "assignment_id": assignment["id"],
            "route_id": assignment["route"]["id"],
            "segment_id": segment,
            "covered_fraction": 1.0,
            "source": "inferred",
            "side": side,
        }
        return event(
            seq, "segment_swept", payload, assignment_version=assignment["version"], gps_time=when
        )

    # Hours ago on this session's clock (far older would be set aside as implausible).
    base = (datetime.now(UTC) - timedelta(hours=4)).replace(microsecond=0)

    def at(minutes: int) -> str:
        return (base + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")

    events = [
        swept(1, segments[0]["id"], "right", at(60)),
        swept(2, segments[0]["id"], "left", at(0)),
        swept(3, segments[1]["id"], "both", at(90)),
    ]
    assert push(h, auth, client, events).status_code == 200
    route = f"/api/v1/routes/{assignment['route']['id']}/status"
    before = h.get(route, headers=auth).json()["segments"]
    first = next(s for s in before if s["segment_id"] == segments[0]["id"])
    assert first["sides"] == ["left", "right"]
    assert first["swept_at"] == at(60).replace("Z", ".000Z")
    assert first["passes"] >= 2
    with srv.store.write() as conn:
        conn.execute("UPDATE segment_state SET passes = 99, sides = ''")
    boss = login(h, ADMIN_LOGIN)
    replayed = h.post("/api/v1/admin/segment-state/recompute", headers=boss).json()
    assert replayed["facts_replayed"] >= 3
    assert h.get(route, headers=auth).json()["segments"] == before


def test_admin_endpoints_name_what_was_wrong(h: httpx.Client) -> None:
    boss = login(h, ADMIN_LOGIN)
    bad = h.post(
        "/api/v1/admin/assignments",
        json={
            "date": "2024-05-01",
            "operator": "supervisor",
            "device_id": "tab-2",
            "route_id": "uptown-west",
        },
        headers=boss,
    )
    assert bad.status_code == 422
    assert "not an operator" in bad.json()["detail"]
    missing = h.post(
        "/api/v1/admin/assignments",
        json={"date": "2024-05-01", "operator": "op2", "device_id": "tab-2", "route_id": "nowhere"},
        headers=boss,
    )
    assert missing.status_code == 404
    assert "nowhere" in missing.json()["detail"]
    weak = h.post(
        "/api/v1/admin/users",
        json={"username": "x1", "password": "short", "role": "operator"},
        headers=boss,
    )
    assert weak.status_code == 422
    assert "password" in weak.json()["detail"]
    made = h.post(
        "/api/v1/admin/users",
        json={"username": "temp-op", "password": "temp-password", "role": "operator"},
        headers=boss,
    )
    assert made.status_code == 200
    token = login(h, {"username": "temp-op", "password": "temp-password"})
    h.post("/api/v1/admin/users/temp-op/disabled", json={"disabled": True}, headers=boss)
    assert h.get("/api/v1/routes", headers=token).status_code == 401
    refused = h.post(
        "/api/v1/auth/login", json={"username": "temp-op", "password": "temp-password"}
    )
    assert refused.status_code == 401
    users = h.get("/api/v1/admin/users", headers=boss).json()["users"]
    assert {
        "username": "temp-op",
        "role": "operator",
        "display_name": "temp-op",
        "disabled": True,
    } in users


def test_overload_answers_503_with_retry_after(srv: EmbeddedServer, h: httpx.Client) -> None:
    auth = login(h, DEMO_LOGIN)
    assert srv.app is not None
    limit = srv.app.state.sync_limit
    held = 0
    while limit.try_acquire():
        held += 1
    try:
        response = push(h, auth, str(uuid.uuid4()), [event(1)])
        assert response.status_code == 503
        assert response.headers["Retry-After"].isdigit()
        assert "overloaded" in response.json()["detail"]
        assert h.get("/api/v1/health").status_code == 200
    finally:
        for _ in range(held):
            limit.release()
    assert push(h, auth, str(uuid.uuid4()), [event(1)]).status_code == 200
