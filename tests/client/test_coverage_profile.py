"""The tablet runs the coverage rule its assignment names (issue 18): it never picks one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from client.assignments import AssignmentCache, BadRouteData, parse_assignment
from client.coverage_store import load_coverage
from client.store import Store
from coverage.profiles import DEFAULT_PROFILE, KITCHENER_2023, SWEEPLINE, profile_to_wire
from tests.helpers.routes import waterloo_route
from tests.ui.operator_rig import assignment_value


def _value(profile: dict[str, Any] | None) -> dict[str, Any]:
    value = assignment_value(waterloo_route(3))
    if profile is not None:
        value["coverage_profile"] = profile
    return value


def test_the_assignment_names_the_rule_the_engine_runs(tmp_path: Path) -> None:
    store = Store(tmp_path / "tablet.sqlite", device_id="tab-3")
    value = _value(profile_to_wire(KITCHENER_2023))
    AssignmentCache(store).apply_pull(
        {"cursor": "c", "reset": True},
        [{"op": "put", "entity": "assignment", "id": value["id"], "version": 1, "value": value}],
    )
    assignment = AssignmentCache(store).current()
    assert assignment is not None
    assert assignment.coverage_profile == KITCHENER_2023
    engine = load_coverage(store, assignment)
    assert engine.profile == KITCHENER_2023
    segment = assignment.route.segments[0].id
    assert engine.explain(segment).profile == "kitchener-2023"


def test_the_city_sets_the_parameters() -> None:
    stricter = {**profile_to_wire(SWEEPLINE), "side_done_fraction": 0.9}
    assert parse_assignment(_value(stricter)).coverage_profile.side_done_fraction == 0.9


def test_an_assignment_from_an_older_server_runs_the_default_rule() -> None:
    assert parse_assignment(_value(None)).coverage_profile == DEFAULT_PROFILE


def test_a_rule_the_tablet_cannot_run_is_refused_by_name() -> None:
    with pytest.raises(BadRouteData, match="unknown parameters"):
        parse_assignment(_value({**profile_to_wire(SWEEPLINE), "broom_pressure": 3}))
