"""Every endpoint of the OpenAPI document, called with no token and as every role.

The table below must name every (method, path) the server publishes, so a new endpoint
without a decision about who may call it fails this test. Ownership (an operator sees
and writes only their own device's and account's data) is checked on top.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from server import admin
from server.dbapi import Store
from server.embedded import EmbeddedServer
from server.settings import Settings
from tests.server.conftest import NewStore
from tests.server.helpers import DEMO_LOGIN, SUPERVISOR_LOGIN, event, login, push_body
from wire.protocol import PROTOCOL_VERSION

# "stranger" is an operator of another device and another route than every resource the
# table names: ownership, not only the role, decides what they may do.
ROLES = ("none", "operator", "stranger", "supervisor", "admin")
ADMIN_LOGIN = {"username": "boss", "password": "boss-password"}
OP2_LOGIN = {"username": "op2", "password": "op2-password"}
OP3_LOGIN = {"username": "op3", "password": "op3-password", "device_id": "tab-3"}
TODAY = date.today().isoformat()
TOMORROW = (date.today() + timedelta(days=1)).isoformat()
WALK_FORM = {
    "id": "walk-form",
    "title": "Walk",
    "questions": [{"id": "ok", "type": "yes_no", "label": "OK?"}],
}


def seed_second_operator_and_admin(db: Store) -> None:
    settings = Settings()
    with db.write() as conn:
        admin.create_user(
            conn,
            username="boss",
            password=ADMIN_LOGIN["password"],
            role="admin",
            display_name="Admin",
            settings=settings,
        )
        admin.create_user(
            conn,
            username="op2",
            password=OP2_LOGIN["password"],
            role="operator",
            display_name="Operator Two",
            settings=settings,
        )
        admin.upsert_device(conn, device_id="tab-2", vehicle="Sweeper 2")
        admin.assign(
            conn,
            admin.AssignmentRequest(
                date=TODAY, operator="op2", device_id="tab-2", route_id="uptown-east"
            ),
        )


@pytest.fixture(scope="module")
def roles_server(new_store: NewStore) -> Iterator[EmbeddedServer]:
    embedded = EmbeddedServer(new_store(), seed_demo=True)
    embedded.start()
    seed_second_operator_and_admin(embedded.store)
    with embedded.store.write() as conn:
        admin.create_user(
            conn,
            username="op3",
            password=OP3_LOGIN["password"],
            role="operator",
            display_name="Operator Three",
            settings=Settings(),
        )
        admin.upsert_device(conn, device_id="tab-3", vehicle="Sweeper 3")
        admin.assign(
            conn,
            admin.AssignmentRequest(
                date=TODAY, operator="op3", device_id="tab-3", route_id="uptown-west"
            ),
        )
    yield embedded
    embedded.stop()


@pytest.fixture
def rhttp(roles_server: EmbeddedServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=roles_server.url, timeout=10) as client:
        yield client


Call = tuple[str, str, dict[str, Any]]  # method, concrete url, httpx kwargs
S = {"none": 401}


def _expect(
    operator: int, supervisor: int, admin_: int, none: int = 401, stranger: int | None = None
) -> dict[str, int]:
    return {
        "none": none,
        "operator": operator,
        "stranger": operator if stranger is None else stranger,
        "supervisor": supervisor,
        "admin": admin_,
    }


def _pull_body() -> dict[str, Any]:
    return {"protocol": PROTOCOL_VERSION, "client_id": str(uuid.uuid4()), "cursor": None}


# (method, OpenAPI path) → (how to call it, status expected per role)
ENDPOINTS: dict[tuple[str, str], tuple[Callable[[], Call], dict[str, int]]] = {
    ("GET", "/api/v1/health"): (
        lambda: ("GET", "/api/v1/health", {}),
        _expect(200, 200, 200, none=200),
    ),
    ("GET", "/api/v1/ready"): (
        lambda: ("GET", "/api/v1/ready", {}),
        _expect(200, 200, 200, none=200),
    ),
    ("POST", "/api/v1/auth/login"): (
        lambda: ("POST", "/api/v1/auth/login", {"json": OP2_LOGIN}),
        _expect(200, 200, 200, none=200),
    ),
    ("POST", "/api/v1/auth/refresh"): (
        lambda: ("POST", "/api/v1/auth/refresh", {"json": {"refresh_token": "not-a-token"}}),
        _expect(401, 401, 401),
    ),
    ("POST", "/api/v1/auth/logout"): (
        lambda: ("POST", "/api/v1/auth/logout", {}),
        _expect(200, 200, 200),
    ),
    ("GET", "/api/v1/assignments/today"): (
        lambda: ("GET", "/api/v1/assignments/today", {}),
        _expect(200, 200, 200),
    ),
    ("GET", "/api/v1/assignments"): (
        lambda: ("GET", "/api/v1/assignments", {"params": {"operator": "op2"}}),
        _expect(403, 200, 200),
    ),
    ("GET", "/api/v1/routes"): (
        lambda: ("GET", "/api/v1/routes", {}),
        _expect(200, 200, 200),
    ),
    ("GET", "/api/v1/routes/{route_id}/status"): (
        lambda: ("GET", "/api/v1/routes/uptown-east/status", {}),
        _expect(403, 200, 200),
    ),
    ("GET", "/api/v1/facts"): (
        lambda: ("GET", "/api/v1/facts", {"params": {"username": "op2"}}),
        _expect(403, 200, 200),
    ),
    ("POST", "/api/v1/sync/push"): (
        lambda: (
            "POST",
            "/api/v1/sync/push",
            {"json": push_body(str(uuid.uuid4()), [event(1)])},
        ),
        _expect(200, 403, 403, stranger=403),
    ),
    ("POST", "/api/v1/sync/pull"): (
        lambda: ("POST", "/api/v1/sync/pull", {"json": _pull_body()}),
        _expect(200, 200, 200),
    ),
    ("GET", "/api/v1/admin/users"): (
        lambda: ("GET", "/api/v1/admin/users", {}),
        _expect(403, 403, 200),
    ),
    ("POST", "/api/v1/admin/users"): (
        lambda: (
            "POST",
            "/api/v1/admin/users",
            {"json": {"username": "walk-user", "password": "walk-password", "role": "operator"}},
        ),
        _expect(403, 403, 200),
    ),
    ("POST", "/api/v1/admin/users/{username}/disabled"): (
        lambda: ("POST", "/api/v1/admin/users/walk-user/disabled", {"json": {"disabled": True}}),
        _expect(403, 403, 200),
    ),
    ("GET", "/api/v1/admin/devices"): (
        lambda: ("GET", "/api/v1/admin/devices", {}),
        _expect(403, 403, 200),
    ),
    ("POST", "/api/v1/admin/devices"): (
        lambda: (
            "POST",
            "/api/v1/admin/devices",
            {"json": {"device_id": "walk-tab", "vehicle": "Walker"}},
        ),
        _expect(403, 403, 200),
    ),
    ("POST", "/api/v1/admin/assignments"): (
        lambda: (
            "POST",
            "/api/v1/admin/assignments",
            {
                "json": {
                    "date": TOMORROW,
                    "operator": "op2",
                    "device_id": "tab-2",
                    "route_id": "uptown-west",
                }
            },
        ),
        _expect(403, 403, 200),
    ),
    ("DELETE", "/api/v1/admin/assignments/{assignment_id}"): (
        lambda: ("DELETE", "/api/v1/admin/assignments/no-such-assignment", {}),
        _expect(403, 403, 404),
    ),
    ("POST", "/api/v1/admin/segment-state/recompute"): (
        lambda: ("POST", "/api/v1/admin/segment-state/recompute", {}),
        _expect(403, 403, 200),
    ),
    ("GET", "/api/v1/forms"): (lambda: ("GET", "/api/v1/forms", {}), _expect(200, 200, 200)),
    ("GET", "/api/v1/forms/{form_id}"): (
        lambda: ("GET", "/api/v1/forms/no-such-form", {}),
        _expect(404, 404, 404),
    ),
    ("POST", "/api/v1/forms"): (
        lambda: ("POST", "/api/v1/forms", {"json": {"definition": WALK_FORM}}),
        _expect(403, 200, 200),
    ),
    ("GET", "/api/v1/messages"): (
        lambda: ("GET", "/api/v1/messages", {}),
        _expect(403, 200, 200),
    ),
    ("POST", "/api/v1/messages"): (
        lambda: ("POST", "/api/v1/messages", {"json": {"text": "walk", "to": "op2"}}),
        _expect(403, 200, 200),
    ),
    ("GET", "/api/v1/stream"): (
        lambda: ("GET", "/api/v1/stream", {"params": {"max_s": 0.2}}),
        _expect(403, 200, 200),
    ),
    ("GET", "/api/v1/fleet"): (lambda: ("GET", "/api/v1/fleet", {}), _expect(403, 200, 200)),
    ("POST", "/api/v1/assignments/{assignment_id}/reassign"): (
        lambda: (
            "POST",
            "/api/v1/assignments/no-such-assignment/reassign",
            {"json": {"device_id": "tab-2"}},
        ),
        _expect(403, 404, 404),
    ),
    ("GET", "/api/v1/progress"): (
        lambda: ("GET", "/api/v1/progress", {}),
        _expect(403, 200, 200),
    ),
    ("GET", "/api/v1/routes/{route_id}/history"): (
        lambda: ("GET", "/api/v1/routes/uptown-east/history", {}),
        _expect(403, 200, 200),
    ),
    ("GET", "/api/v1/feedback"): (
        lambda: ("GET", "/api/v1/feedback", {"params": {"operator": "op2"}}),
        _expect(403, 200, 200),
    ),
    ("GET", "/api/v1/metrics"): (lambda: ("GET", "/api/v1/metrics", {}), _expect(403, 200, 200)),
    ("GET", "/api/v1/equity"): (lambda: ("GET", "/api/v1/equity", {}), _expect(403, 200, 200)),
    ("GET", "/api/v1/export/{kind}"): (
        lambda: ("GET", "/api/v1/export/feedback", {"params": {"format": "geojson"}}),
        _expect(403, 200, 200),
    ),
    ("GET", "/api/v1/evidence/{route_id}/{segment_id}"): (
        lambda: ("GET", "/api/v1/evidence/uptown-east/missing", {"params": {"format": "json"}}),
        _expect(403, 404, 404),
    ),
    ("GET", "/api/v1/reports/daily"): (
        lambda: ("GET", "/api/v1/reports/daily", {"params": {"format": "json"}}),
        _expect(403, 200, 200),
    ),
    # The city's public service feed: no login for anyone.
    ("GET", "/api/v1/public/streets"): (
        lambda: ("GET", "/api/v1/public/streets", {}),
        _expect(200, 200, 200, none=200),
    ),
    # Map tiles are public map data: no login, and this server has none configured.
    ("GET", "/api/v1/tiles/{z}/{x}/{y}.png"): (
        lambda: ("GET", "/api/v1/tiles/1/0/0.png", {}),
        _expect(404, 404, 404, none=404),
    ),
}


def _tokens(http: httpx.Client) -> dict[str, dict[str, str]]:
    return {
        "none": {},
        "operator": login(http, {**DEMO_LOGIN, "device_id": "demo-tablet-1"}),
        "stranger": login(http, OP3_LOGIN),
        "supervisor": login(http, SUPERVISOR_LOGIN),
        "admin": login(http, ADMIN_LOGIN),
    }


def test_table_covers_every_endpoint_in_the_openapi_document(rhttp: httpx.Client) -> None:
    doc = rhttp.get("/openapi.json").json()
    published = {
        (method.upper(), path)
        for path, operations in doc["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert published == set(ENDPOINTS), (
        f"not in the table: {sorted(published - set(ENDPOINTS))}; "
        f"no longer published: {sorted(set(ENDPOINTS) - published)}"
    )


def test_every_endpoint_with_every_role_and_no_token(rhttp: httpx.Client) -> None:
    tokens = _tokens(rhttp)
    wrong: list[str] = []
    # Logout last: it revokes the token it is called with.
    order = sorted(ENDPOINTS, key=lambda k: k[1] == "/api/v1/auth/logout")
    for key in order:
        build, expected = ENDPOINTS[key]
        for role in ROLES:
            method, url, kwargs = build()
            headers = {**tokens[role], **kwargs.pop("headers", {})}
            response = rhttp.request(method, url, headers=headers, **kwargs)
            if response.status_code != expected[role]:
                wrong.append(
                    f"{method} {url} as {role}: {response.status_code} (expected "
                    f"{expected[role]}) {response.text[:120]}"
                )
            elif response.status_code >= 400:
                assert response.json()["detail"], (method, url, role)
    assert not wrong, "\n".join(wrong)


def test_operator_reads_only_their_own_data(rhttp: httpx.Client) -> None:
    demo = login(rhttp, DEMO_LOGIN)
    op2 = login(rhttp, OP2_LOGIN)
    op2_client = str(uuid.uuid4())
    body = push_body(op2_client, [event(1)], device_id="tab-2")
    assert rhttp.post("/api/v1/sync/push", json=body, headers=op2).status_code == 200
    today = rhttp.get("/api/v1/assignments/today", headers=demo).json()["assignments"]
    assert today
    assert {a["operator"] for a in today} == {"demo"}
    listed = rhttp.get("/api/v1/assignments", headers=demo).json()["assignments"]
    assert listed
    assert {a["operator"] for a in listed} == {"demo"}
    routes = rhttp.get("/api/v1/routes", headers=demo).json()["routes"]
    assert [r["id"] for r in routes] == ["uptown-north"]
    facts = rhttp.get("/api/v1/facts", headers=demo).json()["facts"]
    assert all(f["username"] == "demo" for f in facts)
    assert op2_client not in {f["client_id"] for f in facts}
    assert rhttp.get("/api/v1/routes/uptown-north/status", headers=demo).status_code == 200
    # Writing for another operator's device, or into another account's client id.
    theirs = push_body(str(uuid.uuid4()), [event(1)], device_id="tab-2")
    assert rhttp.post("/api/v1/sync/push", json=theirs, headers=demo).status_code == 403
    hijack = push_body(op2_client, [event(2)])
    assert rhttp.post("/api/v1/sync/push", json=hijack, headers=demo).status_code == 403
    pulled = rhttp.post(
        "/api/v1/sync/pull",
        json={"protocol": PROTOCOL_VERSION, "client_id": str(uuid.uuid4()), "cursor": None},
        headers=op2,
    ).json()
    assignments = [c for c in pulled["changes"] if c["entity"] == "assignment"]
    assert {c["value"]["operator"] for c in assignments} == {"op2"}
    # Forms are for everyone; messages only for whom they were sent to.
    assert {c["entity"] for c in pulled["changes"]} <= {"assignment", "form", "message"}
    staff = rhttp.get(
        "/api/v1/facts", params={"username": "op2"}, headers=login(rhttp, SUPERVISOR_LOGIN)
    ).json()["facts"]
    assert op2_client in {f["client_id"] for f in staff}


def test_an_operator_of_another_device_and_route_cannot_act_for_a_crew(
    rhttp: httpx.Client,
) -> None:
    stranger = login(rhttp, OP3_LOGIN)
    op2 = login(rhttp, OP2_LOGIN)
    theirs = rhttp.get("/api/v1/assignments/today", headers=op2).json()["assignments"][0]
    assert (
        rhttp.post("/api/v1/auth/login", json={**OP3_LOGIN, "device_id": "tab-2"}).status_code
        == 403
    )
    as_them = push_body(str(uuid.uuid4()), [event(1)], device_id="tab-2")
    assert rhttp.post("/api/v1/sync/push", json=as_them, headers=stranger).status_code == 403
    swept = event(
        1,
        "segment_swept",
        {
            "assignment_id": theirs["id"],
            "route_id": theirs["route"]["id"],
            "segment_id": theirs["route"]["segments"]["features"][0]["id"],
            "covered_fraction": 1.0,
            "source": "confirmed",
        },
        assignment_version=theirs["version"],
    )
    body = push_body(str(uuid.uuid4()), [swept], device_id="tab-3")
    result = rhttp.post("/api/v1/sync/push", json=body, headers=stranger).json()["results"][0]
    assert result["status"] == "rejected"
    status = rhttp.get(f"/api/v1/routes/{theirs['route']['id']}/status", headers=op2).json()[
        "segments"
    ]
    assert "op3" not in {s["swept_by"] for s in status}
