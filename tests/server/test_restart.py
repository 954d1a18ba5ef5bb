"""The server keeps its promises across a restart on the same database."""

from __future__ import annotations

import httpx

from server.embedded import EmbeddedServer
from tests.server.conftest import NewStore
from tests.server.helpers import event, login, pull, push


def test_high_water_and_facts_survive_restart(new_store: NewStore) -> None:
    store = new_store()
    server = EmbeddedServer(store, seed_demo=True)
    url = server.start()
    try:
        with httpx.Client(base_url=url) as http:
            auth = login(http)
            assert push(http, auth, "tab", [event(1), event(2), event(3)]).status_code == 200
            cursor = pull(http, auth, "tab", None)["cursor"]
            server.stop()
            assert not server.running
            # Same database, same URL: a tablet reconnects as to a city server that came back.
            assert server.start() == url
            again = push(http, auth, "tab", [event(3), event(4)])
            assert [r["status"] for r in again.json()["results"]] == ["duplicate", "applied"]
            assert again.json()["last_processed_seq"] == 4
            page = pull(http, auth, "tab", cursor)
            assert page["reset"] is False
            assert page["changes"] == []
            assert page["last_processed_seq"]["events"] == 4
    finally:
        server.stop()
    # Restarting with seeding again does not duplicate demo data or bump versions.
    with (
        EmbeddedServer(store, seed_demo=True) as url2,
        httpx.Client(base_url=url2) as http,
    ):
        assignments = http.get("/api/v1/assignments/today", headers=login(http)).json()
        assert [a["version"] for a in assignments["assignments"]] == [1]


def test_context_manager_and_stop_twice(new_store: NewStore) -> None:
    server = EmbeddedServer(new_store(), seed_demo=False)
    with server as url:
        assert url == server.url
        assert httpx.get(f"{url}/api/v1/health").status_code == 200
    server.stop()
    assert not server.running
