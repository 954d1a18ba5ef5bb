"""Supervisor messages: to one operator or all, pulled as `message` changes in the shape
the tablet stores, delivery recorded at pull, acknowledgement by `message_ack`."""

from __future__ import annotations

import uuid

import httpx

from tests.server.helpers import SUPERVISOR_LOGIN, event, login, pull, push


def test_message_to_one_operator_is_pulled_delivered_and_acked(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    sup = login(http, SUPERVISOR_LOGIN)
    cursor = pull(http, auth, client_id, None)["cursor"]
    text = "Avoid <img src=x onerror=alert(1)> Main St"
    sent = http.post("/api/v1/messages", json={"text": text, "to": "demo"}, headers=sup)
    assert sent.status_code == 200, sent.text
    message = sent.json()["message"]
    assert message["recipients"] == [{"username": "demo", "delivered_at": None, "acked_at": None}]
    changes = [
        c for c in pull(http, auth, client_id, cursor)["changes"] if c["entity"] == "message"
    ]
    assert changes == [
        {
            "op": "put",
            "entity": "message",
            "id": message["id"],
            "version": 1,
            "value": {
                "id": message["id"],
                "text": text,
                "sender": "supervisor",
                "sent_at": message["sent_at"],
            },
        }
    ]
    status = http.get("/api/v1/messages", headers=sup).json()["messages"]
    mine = next(m for m in status if m["id"] == message["id"])
    assert mine["recipients"][0]["delivered_at"] is not None
    assert mine["recipients"][0]["acked_at"] is None
    ack = push(http, auth, client_id, [event(1, "message_ack", {"message_id": message["id"]})])
    assert ack.json()["results"][0]["status"] == "applied"
    status = http.get("/api/v1/messages", headers=sup).json()["messages"]
    mine = next(m for m in status if m["id"] == message["id"])
    assert mine["recipients"][0]["acked_at"] is not None
    # A tablet whose state is reset gets recent messages again.
    reset = pull(http, auth, str(uuid.uuid4()), None)
    assert message["id"] in {c["id"] for c in reset["changes"] if c["entity"] == "message"}


def test_message_to_all_reaches_every_operator_only_once(
    http: httpx.Client, auth: dict[str, str]
) -> None:
    sup = login(http, SUPERVISOR_LOGIN)
    sent = http.post("/api/v1/messages", json={"text": "Rain: stop at 3", "to": "*"}, headers=sup)
    assert sent.status_code == 200
    recipients = [r["username"] for r in sent.json()["message"]["recipients"]]
    assert "demo" in recipients
    assert "supervisor" not in recipients


def test_bad_messages_are_refused(http: httpx.Client, auth: dict[str, str]) -> None:
    sup = login(http, SUPERVISOR_LOGIN)
    nobody = http.post("/api/v1/messages", json={"text": "hi", "to": "nobody"}, headers=sup)
    assert nobody.status_code == 404
    assert "nobody" in nobody.json()["detail"]
    to_staff = http.post("/api/v1/messages", json={"text": "hi", "to": "supervisor"}, headers=sup)
    assert to_staff.status_code == 422
    blank = http.post("/api/v1/messages", json={"text": "   ", "to": "demo"}, headers=sup)
    assert blank.status_code == 422
    assert (
        http.post("/api/v1/messages", json={"text": "x", "to": "demo"}, headers=auth).status_code
        == 403
    )
