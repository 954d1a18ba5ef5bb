"""No false sweeps (COVERAGE.md, issue 18): every adversarial scenario, in both profiles,
over several seeds, marks no segment swept that the vehicle did not sweep."""

from __future__ import annotations

import pytest

from coverage.profiles import CoverageProfile
from tests.coverage.adversarial import (
    CONTROLS,
    MUST_SWEEP,
    PROFILES,
    SCENARIOS,
    SEEDS,
    network,
    swept,
    wrongly_swept,
)


def _cases() -> list[object]:
    return [
        pytest.param(name, profile, id=f"{profile.name}: {name}")
        for name in SCENARIOS
        for profile in PROFILES
    ]


@pytest.mark.parametrize(("name", "profile"), _cases())
def test_no_segment_is_wrongly_swept(name: str, profile: CoverageProfile) -> None:
    for seed in SEEDS:
        wrong, _run = wrongly_swept(name, profile, seed)
        assert not wrong, f"seed {seed}: {sorted(wrong)} called swept"


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
@pytest.mark.parametrize("name", CONTROLS)
def test_a_real_sweep_still_counts(name: str, profile: CoverageProfile) -> None:
    for seed in SEEDS:
        got = swept(name, profile, seed)
        assert MUST_SWEEP[name] <= got <= {"main-west", "main", "main-east"}, seed


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_the_alley_driven_is_swept_and_main_beside_it_is_not(profile: CoverageProfile) -> None:
    for seed in SEEDS:
        assert swept("parallel alley 12 m away", profile, seed) == {"alley"}, seed
    assert [s.id for s in network().segments if s.id == "alley"]
