"""A supervisor's message and form reach the tablet through pull, and the ack goes back."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from client.forms import AnswerContext, record_answer
from server.embedded import EmbeddedServer
from tests.e2e.live_tablet import logged_in_tablet

FORM = {
    "id": "pilot-end-of-shift",
    "title": "End of shift <b>survey</b>",
    "questions": [
        {"id": "useful", "type": "rating", "label": "How useful was the map?", "required": True},
        {"id": "comment", "type": "short_text", "label": "Anything else?"},
    ],
}


def _as_supervisor(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=10)
    token = client.post(
        "/api/v1/auth/login", json={"username": "supervisor", "password": "sweep-super"}
    ).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


async def _tablet_round_trip(url: str, data_dir: Path) -> dict[str, Any]:
    tablet = await logged_in_tablet(url, data_dir)
    try:
        messages = tablet.supervisor_messages()
        forms = tablet.forms.all()
        tablet.acknowledge_message(messages[0].id)
        form = tablet.forms.get(FORM["id"])
        assert form is not None
        record_answer(
            tablet.outbox,
            form,
            {"useful": 4, "comment": "fine"},
            AnswerContext(
                answered_at=datetime.now(UTC).isoformat(),
                assignment_id=tablet.assignment.id if tablet.assignment else None,
                assignment_version=tablet.assignment.version if tablet.assignment else None,
            ),
        )
        tablet.engine.facts_added()
        await tablet.engine.sync_once()
        return {"messages": messages, "forms": forms, "pending": tablet.outbox.pending_counts()}
    finally:
        await tablet.aclose()
        tablet.store.close()


def test_message_and_form_are_pulled_and_answered(tmp_path: Path) -> None:
    with EmbeddedServer(tmp_path / "server.sqlite", seed_demo=True) as url:
        supervisor = _as_supervisor(url)
        try:
            sent = supervisor.post(
                "/api/v1/messages", json={"text": "Skip <i>Dorset</i> today", "to": "demo"}
            )
            assert sent.status_code == 200, sent.text
            saved = supervisor.post("/api/v1/forms", json={"definition": FORM})
            assert saved.status_code == 200, saved.text

            result = asyncio.run(_tablet_round_trip(url, tmp_path))

            (message,) = result["messages"]
            assert message.text == "Skip <i>Dorset</i> today"
            assert message.sender  # the supervisor's name, as the server sent it
            assert [f["id"] for f in result["forms"]] == [FORM["id"]]
            assert result["pending"] == {"events": 0, "gps": 0}

            deadline = time.monotonic() + 5
            while True:
                listed = supervisor.get("/api/v1/messages").json()["messages"][0]
                (recipient,) = listed["recipients"]
                if recipient["acked_at"] or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            assert recipient["delivered_at"]
            assert recipient["acked_at"], "the tablet's message_ack reached the server"
            facts = supervisor.get("/api/v1/facts", params={"type": "form_answer"})
            assert facts.status_code == 200, facts.text
            assert any(f["payload"]["form_id"] == FORM["id"] for f in facts.json()["facts"]), (
                facts.json()
            )
        finally:
            supervisor.close()
