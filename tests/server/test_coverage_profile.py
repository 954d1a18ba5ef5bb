"""The city chooses the coverage rule (issue 18): server configuration, carried by every
assignment (today's list, pulled changes) with its parameters, named in route status."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator

import httpx
import pytest

from coverage.profiles import KITCHENER_2023, SWEEPLINE, CoverageProfile, profile_from_wire
from server.app import create_app
from server.embedded import EmbeddedServer
from server.schemas import CoverageProfileOut
from server.settings import Settings, settings_from_env
from server.stores import is_postgres_url
from tests.helpers.pg_cluster import sessions_on
from tests.server.conftest import NewStore
from tests.server.helpers import login, pull, today_assignment


@pytest.fixture(scope="module")
def kitchener(new_store: NewStore) -> Iterator[EmbeddedServer]:
    embedded = EmbeddedServer(
        new_store(),
        seed_demo=True,
        settings=Settings(coverage_profile="kitchener-2023"),
    )
    embedded.start()
    yield embedded
    embedded.stop()


def test_the_default_rule_is_sent_with_its_parameters(
    http: httpx.Client, auth: dict[str, str]
) -> None:
    assignment = today_assignment(http, auth)
    assert profile_from_wire(assignment["coverage_profile"]) == SWEEPLINE
    status = http.get(f"/api/v1/routes/{assignment['route']['id']}/status", headers=auth)
    assert status.json()["coverage_profile"]["name"] == "sweepline"


def test_the_configured_rule_reaches_assignments_pulls_and_route_status(
    kitchener: EmbeddedServer,
) -> None:
    with httpx.Client(base_url=kitchener.url, timeout=10) as http:
        auth = login(http)
        assignment = today_assignment(http, auth)
        assert profile_from_wire(assignment["coverage_profile"]) == KITCHENER_2023
        changes = pull(http, auth, str(uuid.uuid4()), None)["changes"]
        pulled = [c["value"] for c in changes if c.get("entity") == "assignment"]
        assert pulled
        assert all(v["coverage_profile"]["name"] == "kitchener-2023" for v in pulled)
        status = http.get(f"/api/v1/routes/{assignment['route']['id']}/status", headers=auth)
        assert status.json()["coverage_profile"] == assignment["coverage_profile"]


def test_an_unknown_rule_is_refused_at_start(
    new_store: NewStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWEEPLINE_COVERAGE_PROFILE", "fastest-wins")
    settings = settings_from_env()
    target = new_store()
    with pytest.raises(ValueError, match="kitchener-2023, sweepline") as refused:
        create_app(target, settings=settings)
    if is_postgres_url(target):  # closed, not left to the GC (the traceback still holds it)
        assert sessions_on(str(target)) == 0, f"connections left open by: {refused.value}"


def test_the_schema_lists_every_parameter() -> None:
    assert set(CoverageProfileOut.model_fields) == {
        f.name for f in dataclasses.fields(CoverageProfile)
    }
