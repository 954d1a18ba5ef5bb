"""Pull: reset on a null or unknown cursor, cursor progression, paging, acks."""

from __future__ import annotations

import base64
import json

import httpx

from server.embedded import EmbeddedServer
from server.plans import delete_assignment, put_assignment
from server.settings import Settings
from tests.server.conftest import NewStore
from tests.server.helpers import SUPERVISOR_LOGIN, event, fix_batch, login, pull, push


def test_null_cursor_resets_with_full_state(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    page = pull(http, auth, client_id, None)
    assert page["reset"] is True
    assert page["has_more"] is False
    assert page["server_time"].endswith("Z")
    assert page["last_processed_seq"] == {"events": 0, "gps": 0}
    [change] = page["changes"]
    assert change["op"] == "put"
    assert change["entity"] == "assignment"
    assert change["id"] == change["value"]["id"]
    assert change["version"] == change["value"]["version"] == 1
    assert change["value"]["route"]["segments"]["features"]
    assert isinstance(page["cursor"], str)
    assert page["cursor"]


def test_cursor_progresses_and_is_quiet_without_changes(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    first = pull(http, auth, client_id, None)
    second = pull(http, auth, client_id, first["cursor"])
    assert second["reset"] is False
    assert second["changes"] == []
    assert second["has_more"] is False


def test_unknown_or_garbled_cursor_resets(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    forged = "c1." + base64.urlsafe_b64encode(
        json.dumps({"e": "other-db", "u": "demo", "p": 0}).encode()
    ).decode().rstrip("=")
    for cursor in ("garbage", "c1.!!!", "c1.e30", forged):
        page = pull(http, auth, client_id, cursor)
        assert page["reset"] is True, cursor
        assert len(page["changes"]) == 1


def test_cursor_of_another_account_resets(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    cursor = pull(http, auth, client_id, None)["cursor"]
    supervisor = login(http, SUPERVISOR_LOGIN)
    page = pull(http, supervisor, "supervisor-console", cursor)
    assert page["reset"] is True


def test_last_processed_seq_follows_pushes(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    push(http, auth, client_id, [event(1), event(2)])
    push(http, auth, client_id, [fix_batch(1)], stream="gps")
    page = pull(http, auth, client_id, None)
    assert page["last_processed_seq"] == {"events": 2, "gps": 1}


def test_pull_for_another_accounts_client_is_403(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    push(http, auth, client_id, [event(1)])
    response = http.post(
        "/api/v1/sync/pull",
        json={"protocol": 1, "client_id": client_id, "cursor": None},
        headers=login(http, SUPERVISOR_LOGIN),
    )
    assert response.status_code == 403


def test_pull_protocol_mismatch_is_426(http: httpx.Client, auth: dict[str, str]) -> None:
    response = http.post(
        "/api/v1/sync/pull", json={"protocol": 9, "client_id": "c", "cursor": None}, headers=auth
    )
    assert response.status_code == 426


def test_changes_and_paging(new_store: NewStore) -> None:
    """Assignments changed on the server reach the tablet in order, page by page."""
    server = EmbeddedServer(new_store(), settings=Settings(pull_page_limit=2))
    with server as url, httpx.Client(base_url=url) as http:
        auth = login(http)
        start = pull(http, auth, "tab", None)
        [current] = start["changes"]
        with server.store.write() as conn:
            version = put_assignment(
                conn,
                assignment_id=current["id"],
                date=current["value"]["date"],
                operator="demo",
                device_id="demo-tablet-1",
                vehicle="Sweeper 7",
                route_id="uptown-north",
            )
            for n, route in enumerate(("uptown-east", "uptown-west", "uptown-west")):
                put_assignment(
                    conn,
                    assignment_id=f"asg-extra-{n}",
                    date=current["value"]["date"],
                    operator="demo",
                    device_id="demo-tablet-1",
                    vehicle="Sweeper 12",
                    route_id=route,
                )
            delete_assignment(conn, "asg-extra-0")
        assert version == 2

        pages = [pull(http, auth, "tab", start["cursor"])]
        while pages[-1]["has_more"]:
            pages.append(pull(http, auth, "tab", pages[-1]["cursor"]))
        assert [len(p["changes"]) for p in pages] == [2, 2, 1]
        assert not any(p["reset"] for p in pages)
        changes = [c for p in pages for c in p["changes"]]
        assert [(c["op"], c["id"], c["version"]) for c in changes] == [
            ("put", current["id"], 2),
            ("put", "asg-extra-0", 1),
            ("put", "asg-extra-1", 1),
            ("put", "asg-extra-2", 1),
            ("del", "asg-extra-0", 2),
        ]
        assert changes[0]["value"]["vehicle"] == "Sweeper 7"
        assert changes[-1]["value"] is None
        assert pull(http, auth, "tab", pages[-1]["cursor"])["changes"] == []

        # A reset larger than a page is paged too: reset only on its first page.
        reset = pull(http, auth, "tab2", None)
        assert (reset["reset"], reset["has_more"]) == (True, True)
        rest = pull(http, auth, "tab2", reset["cursor"])
        assert (rest["reset"], rest["has_more"]) == (False, False)
        ids = [c["id"] for c in reset["changes"] + rest["changes"]]
        assert sorted(ids) == sorted([current["id"], "asg-extra-1", "asg-extra-2"])
        assert ids == sorted(ids)


def test_reassignment_removes_it_from_the_old_operator(new_store: NewStore) -> None:
    server = EmbeddedServer(new_store())
    with server as url, httpx.Client(base_url=url) as http:
        demo = login(http)
        supervisor = login(http, SUPERVISOR_LOGIN)
        start = pull(http, demo, "tab", None)
        [current] = start["changes"]
        with server.store.write() as conn:
            conn.execute(
                "INSERT INTO users(username, password_hash, role, display_name)"
                " VALUES ('other', 'x', 'operator', 'Other')"
            )
            put_assignment(
                conn,
                assignment_id=current["id"],
                date=current["value"]["date"],
                operator="other",
                device_id="tablet-2",
                vehicle="Sweeper 12",
                route_id="uptown-north",
            )
        page = pull(http, demo, "tab", start["cursor"])
        assert [(c["op"], c["id"]) for c in page["changes"]] == [("del", current["id"])]
        assert http.get("/api/v1/assignments/today", headers=demo).json()["assignments"] == []
        everyone = pull(http, supervisor, "console", None)
        assert [c["value"]["operator"] for c in everyone["changes"]] == ["other"]
