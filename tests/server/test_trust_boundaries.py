"""RELIABILITY "Trust boundaries": no operator logs in as another crew's tablet, and facts
about another crew's assignment never move that crew's progress, status or metrics."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from server import admin
from server.embedded import EmbeddedServer
from server.settings import Settings
from tests.server.conftest import NewStore
from tests.server.helpers import (
    DEMO_LOGIN,
    SUPERVISOR_LOGIN,
    event,
    login,
    push_body,
    today_assignment,
)
from tests.server.test_roles import ADMIN_LOGIN, OP2_LOGIN, seed_second_operator_and_admin

SPARES = "spare-1"


@pytest.fixture(scope="module")
def trust_server(new_store: NewStore) -> Iterator[EmbeddedServer]:
    embedded = EmbeddedServer(new_store(), seed_demo=True, settings=Settings(spare_devices=SPARES))
    embedded.start()
    seed_second_operator_and_admin(embedded.store)
    with embedded.store.write() as conn:
        admin.upsert_device(conn, device_id="spare-1", vehicle="Spare sweeper")
        admin.upsert_device(conn, device_id="idle-tab", vehicle="Idle sweeper")
    yield embedded
    embedded.stop()


@pytest.fixture
def th(trust_server: EmbeddedServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=trust_server.url, timeout=10) as client:
        yield client


def _login(th: httpx.Client, credentials: dict[str, str], device_id: str) -> httpx.Response:
    return th.post("/api/v1/auth/login", json={**credentials, "device_id": device_id})


def test_a_login_names_only_a_device_the_operator_is_assigned_today(th: httpx.Client) -> None:
    assert _login(th, DEMO_LOGIN, "demo-tablet-1").status_code == 200
    assert _login(th, OP2_LOGIN, "tab-2").status_code == 200
    theirs = _login(th, DEMO_LOGIN, "tab-2")
    assert theirs.status_code == 403, theirs.text
    assert "tab-2" in theirs.json()["detail"]
    assert "not assigned to you" in theirs.json()["detail"]
    assert _login(th, OP2_LOGIN, "demo-tablet-1").status_code == 403
    unknown = _login(th, DEMO_LOGIN, "tablet-b")
    assert unknown.status_code == 403
    assert "not enrolled" in unknown.json()["detail"]
    idle = _login(th, DEMO_LOGIN, "idle-tab")
    assert idle.status_code == 403, "enrolled, but nobody's assignment and not a spare"
    # A configured spare tablet stands in for a broken one.
    assert _login(th, DEMO_LOGIN, "spare-1").status_code == 200
    # Staff sessions are bound to no tablet: a tablet named (the supervisor's console
    # sends its configured id) is set aside, and the session cannot push as it.
    assert th.post("/api/v1/auth/login", json=SUPERVISOR_LOGIN).status_code == 200
    staff = _login(th, SUPERVISOR_LOGIN, "tab-2")
    assert staff.status_code == 200
    headers = {"Authorization": f"Bearer {staff.json()['access_token']}"}
    body = push_body(str(uuid.uuid4()), [event(1)], device_id="tab-2")
    borrowed = th.post("/api/v1/sync/push", json=body, headers=headers)
    assert borrowed.status_code == 403, borrowed.text


def test_a_refused_login_leaves_the_other_crew_untouched(th: httpx.Client) -> None:
    assert _login(th, DEMO_LOGIN, "tab-2").status_code == 403
    demo = login(th, DEMO_LOGIN)  # no device named: may act only for its own tablets
    body = push_body(str(uuid.uuid4()), [event(1)], device_id="tab-2")
    body["waiting"] = {"events": 9_999_999, "gps": 0}
    assert th.post("/api/v1/sync/push", json=body, headers=demo).status_code == 403
    fleet = th.get("/api/v1/fleet", headers=login(th, SUPERVISOR_LOGIN)).json()["vehicles"]
    tab2 = next(v for v in fleet if v["device_id"] == "tab-2")
    assert tab2["waiting"] is None
    assert tab2["last_sync"] is None


def _swept(assignment: dict[str, Any], segment: str, version: int | None = None) -> dict[str, Any]:
    return event(
        1,
        "segment_swept",
        {
            "assignment_id": assignment["id"],
            "route_id": assignment["route"]["id"],
            "segment_id": segment,
            "covered_fraction": 1.0,
            "source": "confirmed",
        },
        assignment_version=assignment["version"] if version is None else version,
    )


def _push_one(
    th: httpx.Client, auth: dict[str, str], device_id: str, fact: dict[str, Any]
) -> dict[str, Any]:
    body = push_body(str(uuid.uuid4()), [fact], device_id=device_id)
    response = th.post("/api/v1/sync/push", json=body, headers=auth)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["results"][0]
    return result


def _route_counted(th: httpx.Client, staff: dict[str, str], route_id: str) -> dict[str, Any]:
    progress = th.get("/api/v1/progress", headers=staff).json()["routes"]
    history = th.get(f"/api/v1/routes/{route_id}/history", headers=staff).json()["segments"]
    status = th.get(f"/api/v1/routes/{route_id}/status", headers=staff).json()["segments"]
    fleet = th.get("/api/v1/fleet", headers=staff).json()["vehicles"]
    metrics = th.get("/api/v1/metrics", headers=staff).json()
    return {
        "pct": next(r["pct"] for r in progress if r["route_id"] == route_id),
        "sweeps": sum(len(s["sweeps"]) for s in history),
        "swept_by": {s["swept_by"] for s in status},
        "fleet_pct": [v["pct"] for v in fleet if v["route_id"] == route_id],
        "completion_m": metrics["completion"][-1]["swept_m"],
    }


def test_facts_about_another_crews_assignment_are_kept_but_never_counted(
    th: httpx.Client,
) -> None:
    staff = login(th, SUPERVISOR_LOGIN)
    op2 = login(th, {**OP2_LOGIN, "device_id": "tab-2"})
    theirs = today_assignment(th, op2)
    segment = theirs["route"]["segments"]["features"][0]["id"]
    before = _route_counted(th, staff, theirs["route"]["id"])

    demo = login(th, {**DEMO_LOGIN, "device_id": "demo-tablet-1"})
    result = _push_one(th, demo, "demo-tablet-1", _swept(theirs, segment))
    assert result["status"] == "rejected"
    assert theirs["id"] in result["reason"]
    assert "not this tablet's" in result["reason"]
    # Also when it names the route of another crew under the operator's own assignment.
    mine = today_assignment(th, demo)
    forged = _swept(mine, segment)
    forged["payload"]["route_id"] = theirs["route"]["id"]
    forged = event(1, "segment_swept", forged["payload"], assignment_version=mine["version"])
    assert _push_one(th, demo, "demo-tablet-1", forged)["status"] == "rejected"

    after = _route_counted(th, staff, theirs["route"]["id"])
    assert after == before
    assert "demo" not in after["swept_by"]
    kept = th.get(
        "/api/v1/facts", params={"username": "demo", "type": "segment_swept"}, headers=staff
    ).json()["facts"]
    assert [f["status"] for f in kept] == ["rejected", "rejected"], "kept: nothing is lost"

    # The crew's own tablet still counts.
    assert _push_one(th, op2, "tab-2", _swept(theirs, segment))["status"] == "applied"
    assert _route_counted(th, staff, theirs["route"]["id"])["sweeps"] == 1


def test_only_the_device_that_held_a_reassigned_route_has_its_old_facts_counted(
    th: httpx.Client, trust_server: EmbeddedServer
) -> None:
    boss = login(th, ADMIN_LOGIN)
    staff = login(th, SUPERVISOR_LOGIN)
    op2 = login(th, {**OP2_LOGIN, "device_id": "tab-2"})
    demo = login(th, {**DEMO_LOGIN, "device_id": "demo-tablet-1"})
    made = th.post(
        "/api/v1/admin/assignments",
        json={
            "id": "asg-west-held",
            "date": today_assignment(th, op2)["date"],
            "operator": "op2",
            "device_id": "tab-2",
            "route_id": "uptown-west",
        },
        headers=boss,
    ).json()["assignment"]
    held = {
        "id": made["id"],
        "version": made["version"],
        "route": {"id": "uptown-west"},
    }
    with trust_server.store.read() as conn:
        first, second = (
            r[0]
            for r in conn.execute(
                "SELECT segment_id FROM segments WHERE route_id = 'uptown-west' ORDER BY ord"
                " LIMIT 2"
            )
        )
    moved = th.post(
        f"/api/v1/assignments/{made['id']}/reassign", json={"device_id": "spare-1"}, headers=staff
    )
    assert moved.status_code == 200, moved.text
    # tab-2 held version 1 while offline: its fact counts, flagged.
    old = _push_one(th, op2, "tab-2", _swept(held, first))
    assert (old["status"], old.get("flags")) == ("applied", ["stale_assignment"])
    # demo's tablet never held it: its facts claiming either version do not count.
    for version in (1, 2):
        claimed = _push_one(th, demo, "demo-tablet-1", _swept(held, second, version))
        assert claimed["status"] == "rejected"
    swept_by = {
        s["segment_id"]: s["swept_by"]
        for s in th.get("/api/v1/routes/uptown-west/status", headers=staff).json()["segments"]
    }
    assert swept_by == {first: "op2"}


def test_login_from_the_tablet_that_held_todays_route_before_a_reassignment(
    new_store: NewStore,
) -> None:
    """The old tablet must still log in to upload what it recorded before the move."""
    server = EmbeddedServer(new_store(), seed_demo=True)
    with server as url, httpx.Client(base_url=url) as h:
        staff = login(h, SUPERVISOR_LOGIN)
        assignment = today_assignment(h, login(h, DEMO_LOGIN))
        with server.store.write() as conn:
            admin.upsert_device(conn, device_id="spare-tab", vehicle="Spare")
        h.post(
            f"/api/v1/assignments/{assignment['id']}/reassign",
            json={"device_id": "spare-tab"},
            headers=staff,
        )
        assert _login(h, DEMO_LOGIN, "demo-tablet-1").status_code == 200
        assert _login(h, DEMO_LOGIN, "spare-tab").status_code == 200
