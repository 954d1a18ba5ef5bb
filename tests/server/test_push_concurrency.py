"""Many tablets pushing at once (SYNC.md; server.dbapi.Store.client_write).

On PostgreSQL, pushes of fixes from different clients run their checks side by side
and are serialised only for their last step; these tests hold the promises that must
survive that: every fact is stored exactly once, and the facts feed, paged by position
while the pushes land, never steps over a row that commits later with a smaller
position.
"""

from __future__ import annotations

import threading
import uuid

import httpx

from server.embedded import EmbeddedServer
from tests.server.helpers import SUPERVISOR_LOGIN, fix_batch, login, push

TABLETS = 6
PUSHES_EACH = 25


def _tablet(url: str, auth: dict[str, str], client_id: str, failures: list[str]) -> None:
    with httpx.Client(base_url=url, timeout=30) as http:
        for seq in range(1, PUSHES_EACH + 1):
            response = push(http, auth, client_id, [fix_batch(seq)], stream="gps")
            status = response.json()["results"][0]["status"] if response.is_success else None
            if status != "applied":
                failures.append(f"{client_id} seq {seq}: {response.status_code} {status}")


def _feed_page(http: httpx.Client, after: int) -> list[dict[str, object]]:
    response = http.get("/api/v1/facts", params={"stream": "gps", "after": after, "limit": 1000})
    assert response.status_code == 200, response.text
    facts: list[dict[str, object]] = response.json()["facts"]
    return facts


def test_concurrent_pushes_store_every_fact_once_and_the_feed_misses_none(
    server: EmbeddedServer, auth: dict[str, str]
) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        staff = login(http, SUPERVISOR_LOGIN)
        http.headers.update(staff)
        start = max((int(str(f["position"])) for f in _feed_page(http, 0)), default=0)
        clients = [str(uuid.uuid4()) for _ in range(TABLETS)]
        failures: list[str] = []
        threads = [
            threading.Thread(target=_tablet, args=(server.url, auth, c, failures)) for c in clients
        ]
        for thread in threads:
            thread.start()
        # A reader following the feed as the pushes land, as a replay or export does.
        seen: list[tuple[str, int]] = []
        after = start
        while any(t.is_alive() for t in threads):
            for fact in _feed_page(http, after):
                after = int(str(fact["position"]))
                seen.append((str(fact["client_id"]), int(str(fact["seq"]))))
        for thread in threads:
            thread.join()
        for fact in _feed_page(http, after):
            seen.append((str(fact["client_id"]), int(str(fact["seq"]))))
        stored = [
            (str(f["client_id"]), int(str(f["seq"])))
            for f in _feed_page(http, start)
            if f["client_id"] in clients
        ]
    assert failures == []
    expected = {(c, s) for c in clients for s in range(1, PUSHES_EACH + 1)}
    assert sorted(stored) == sorted(expected)  # each exactly once
    assert sorted(x for x in seen if x[0] in clients) == sorted(expected)  # none skipped


def test_pushes_of_one_client_from_two_connections_stay_in_order(
    server: EmbeddedServer, auth: dict[str, str]
) -> None:
    """The same batches sent twice at once (a retry racing its original): each seq is
    applied once and answered `duplicate` the other time, never a gap or a conflict."""
    client_id = str(uuid.uuid4())
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def send() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for seq in range(1, 16):
                response = push(http, auth, client_id, [fix_batch(seq)], stream="gps")
                assert response.status_code == 200, response.text
                with lock:
                    answers.extend((r["seq"], r["status"]) for r in response.json()["results"])

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for seq in range(1, 16):
        assert sorted(s for q, s in answers if q == seq) == ["applied", "duplicate"], seq
