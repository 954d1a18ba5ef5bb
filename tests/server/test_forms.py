"""Forms on the server: definitions (valid, invalid naming the question, versions, CLI),
pulled by tablets, and `form_answer` facts checked against their form version."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import REPO
from tests.server.conftest import NewStore
from tests.server.helpers import (
    SUPERVISOR_LOGIN,
    event,
    login,
    pull,
    push,
    store_option,
    today_assignment,
)
from wire.forms import FormDefinitionError, check_answers, check_definition

SURVEY: dict[str, Any] = {
    "id": "pilot-survey",
    "title": "End of shift <b>survey</b>",
    "questions": [
        {"id": "overall", "type": "rating", "label": "How was the shift?", "required": True},
        {"id": "map_ok", "type": "yes_no", "label": "Was the map right?", "required": True},
        {
            "id": "issue",
            "type": "single_choice",
            "label": "Main issue",
            "choices": ["none", "parked cars", "GPS"],
            "help": "Pick one",
        },
        {"id": "tools", "type": "multiple_choice", "label": "Used", "choices": ["map", "chart"]},
        {"id": "stops", "type": "number", "label": "Stops", "min": 0, "max": 100},
        {"id": "comment", "type": "short_text", "label": "Anything else?", "max_length": 50},
    ],
}


def staff(http: httpx.Client) -> dict[str, str]:
    return login(http, SUPERVISOR_LOGIN)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d["questions"][2].update(choices=["only one"]), "question 3 ('issue')"),
        (lambda d: d["questions"][0].update(type="slider"), "question 1 ('overall')"),
        (lambda d: d["questions"][1].update(label=""), "question 2 ('map_ok')"),
        (lambda d: d["questions"][4].update(min=10, max=1), "question 5 ('stops')"),
        (lambda d: d["questions"][5].update(id="overall"), "question 6 ('overall')"),
        (lambda d: d["questions"][0].update(choices=["a", "b"]), "question 1 ('overall')"),
        (lambda d: d["questions"][3].update(choices=["map", "map"]), "question 4 ('tools')"),
        (lambda d: d.update(questions=[]), "form 'pilot-survey'"),
    ],
)
def test_invalid_definitions_are_refused_naming_the_question(
    http: httpx.Client, change: Any, named: str
) -> None:
    definition = json.loads(json.dumps(SURVEY))
    change(definition)
    with pytest.raises(FormDefinitionError, match=named.replace("(", r"\(").replace(")", r"\)")):
        check_definition(definition)
    response = http.post("/api/v1/forms", json={"definition": definition}, headers=staff(http))
    assert response.status_code == 422
    assert named in response.json()["detail"]


def test_forms_are_versioned_and_pulled_by_tablets(
    http: httpx.Client, auth: dict[str, str]
) -> None:
    sup = staff(http)
    client_id = str(uuid.uuid4())
    cursor = pull(http, auth, client_id, None)["cursor"]
    first = http.post("/api/v1/forms", json={"definition": SURVEY}, headers=sup).json()["form"]
    again = http.post("/api/v1/forms", json={"definition": SURVEY}, headers=sup).json()["form"]
    assert first["version"] == again["version"]
    changed = {**SURVEY, "title": "Survey v2"}
    second = http.post("/api/v1/forms", json={"definition": changed}, headers=sup).json()["form"]
    assert second["version"] == first["version"] + 1
    forms = pull(http, auth, client_id, cursor)["changes"]
    puts = [c for c in forms if c["entity"] == "form"]
    assert [(c["id"], c["version"]) for c in puts] == [
        ("pilot-survey", first["version"]),
        ("pilot-survey", second["version"]),
    ]
    assert puts[0]["value"]["title"] == "End of shift <b>survey</b>"
    assert puts[1]["value"]["questions"][2]["help"] == "Pick one"
    # A reset snapshot carries the latest version of every form.
    reset = pull(http, auth, str(uuid.uuid4()), None)
    assert reset["reset"]
    assert [(c["id"], c["version"]) for c in reset["changes"] if c["entity"] == "form"] == [
        ("pilot-survey", second["version"])
    ]
    old = http.get("/api/v1/forms/pilot-survey", params={"version": first["version"]}, headers=auth)
    assert old.json()["form"]["title"] == SURVEY["title"]
    assert http.get("/api/v1/forms/nope", headers=auth).status_code == 404
    assert http.post("/api/v1/forms", json={"definition": SURVEY}, headers=auth).status_code == 403


def _answer(version: int, answers: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"form_id": "pilot-survey", "form_version": version, "answers": answers, **extra}


def test_answers_are_checked_against_their_form_version(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    sup = staff(http)
    form = http.post("/api/v1/forms", json={"definition": SURVEY}, headers=sup).json()["form"]
    v = form["version"]
    assignment = today_assignment(http, auth)
    good = {
        "overall": 4,
        "map_ok": True,
        "issue": "GPS",
        "tools": ["map"],
        "stops": 3,
        "comment": "<script>alert(1)</script>",
    }
    cases = [
        (_answer(v, good, assignment_id=assignment["id"]), None),
        (_answer(v, {"map_ok": True}), "question 'overall' is required"),
        (_answer(v, {**good, "overall": 6}), "a rating must be 1–5"),
        (_answer(v, {**good, "overall": True}), "a rating must be a whole number"),
        (_answer(v, {**good, "issue": "rain"}), "'rain' is not one of its choices"),
        (_answer(v, {**good, "stops": 101}), "above the maximum 100"),
        (_answer(v, {**good, "comment": "x" * 51}), "longer than 50 characters"),
        (_answer(v, {**good, "extra": 1}), "question 'extra' is not in this version"),
        (_answer(v + 50, good), f"has no version {v + 50}"),
        ({"form_id": "pilot-survey", "answers": good}, "needs an integer 'form_version'"),
    ]
    events = [event(n, "form_answer", payload) for n, (payload, _) in enumerate(cases, 1)]
    results = push(http, auth, client_id, events).json()["results"]
    for (payload, expected), result in zip(cases, results, strict=True):
        if expected is None:
            assert result["status"] == "applied", result
        else:
            assert result["status"] == "rejected", (payload, result)
            assert expected in result["reason"]
    # Rejected answers are kept, with their reason, for the supervisor.
    facts = http.get("/api/v1/facts", params={"type": "form_answer"}, headers=sup).json()["facts"]
    mine = [f for f in facts if f["client_id"] == client_id]
    assert len(mine) == len(cases)
    assert sum(f["status"] == "rejected" for f in mine) == len(cases) - 1


def test_check_answers_shared_rules() -> None:
    definition = check_definition(SURVEY)
    assert definition["questions"][0]["required"] is True
    assert definition["questions"][3]["required"] is False
    assert check_answers(definition, {"overall": 1, "map_ok": False}) is None
    assert check_answers(definition, {"overall": 1, "map_ok": "yes"}) == (
        "question 'map_ok': the answer must be yes (true) or no (false)"
    )
    twice = {"overall": 1, "map_ok": False, "tools": ["map", "map"]}
    assert check_answers(definition, twice) == "question 'tools': a choice is given twice"
    assert check_answers(definition, []) == (
        "answers must be a JSON object of question id → answer"
    )


def test_cli_saves_a_form_and_refuses_a_bad_one(tmp_path: Path, new_store: NewStore) -> None:
    db = new_store()
    good = tmp_path / "form.json"
    good.write_text(json.dumps(SURVEY), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**SURVEY, "questions": [{"id": "q", "type": "rating"}]}))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "server", *args, *store_option(db)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    saved = run("save-form", str(good))
    assert saved.returncode == 0, saved.stderr
    assert json.loads(saved.stdout) == {"id": "pilot-survey", "version": 1}
    refused = run("save-form", str(bad))
    assert refused.returncode == 1
    assert "question 1 ('q'): needs a label" in refused.stderr
    listed = run("list-forms")
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == ["pilot-survey"]
