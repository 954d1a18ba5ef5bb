"""The mutation run's lists stay true: every module and test path exists, and every
mutant listed as equivalent is one cosmic-ray still generates (a stale entry would
silently exclude nothing, or the wrong mutant after an edit)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from cosmic_ray.commands.init import _all_work_items

from tests.mutation.run import REPO, load_equivalents, load_modules

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@cache
def _mutants(path: str) -> list[tuple[str, tuple[int, int], int]]:
    """Every mutant cosmic-ray makes of `path`: (operator, start position, occurrence)."""
    return [
        (m.operator_name, tuple(m.start_pos), m.occurrence)
        for m in (w.mutations[0] for w in _all_work_items([Path(REPO / path)], {}))
    ]


def test_every_module_and_test_path_exists() -> None:
    modules = load_modules()
    assert {m.path for m in modules} >= {
        "wire/protocol.py",
        "client/outbox.py",
        "client/fix_filter.py",
        "coverage/engine.py",
        "server/facts.py",
        "server/auth.py",
    }
    for m in modules:
        assert (REPO / m.path).is_file(), m.path
        for t in m.tests:
            assert (REPO / t.split("::")[0]).exists(), t


@pytest.mark.parametrize(
    "entry", load_equivalents(), ids=lambda e: f"{e.path}:{e.line}:{e.col}:{e.operator}"
)
def test_each_equivalent_mutant_is_still_generated(entry: object) -> None:
    from tests.mutation.run import Equivalent

    assert isinstance(entry, Equivalent)
    assert entry.path in {m.path for m in load_modules()}
    source = (REPO / entry.path).read_text(encoding="utf-8")
    hits = [
        occurrence
        for operator, start, occurrence in _mutants(entry.path)
        if (operator, start) == (entry.operator, (entry.line, entry.col))
        and entry.matches(source, operator, occurrence)
    ]
    assert hits, "no such mutant: the code moved; update equivalent.toml"
    assert len(entry.reason.split()) >= 5
