"""The shared form rules accept what they produce: a normalised definition re-checks."""

from __future__ import annotations

import pytest

from wire.forms import FormDefinitionError, check_definition

DEFINITION = {
    "id": "pilot",
    "title": "Pilot survey",
    "questions": [
        {"id": "rating", "type": "rating", "label": "How useful?", "required": True},
        {"id": "count", "type": "number", "label": "Stops?", "min": 0, "max": 50},
        {"id": "kind", "type": "single_choice", "label": "Worst", "choices": ["cars", "leaves"]},
        {"id": "text", "type": "short_text", "label": "Anything else?"},
    ],
}


def test_a_normalised_definition_is_valid_again() -> None:
    normalised = check_definition(DEFINITION)
    assert check_definition(normalised) == normalised


def test_bounds_on_a_rating_are_still_refused() -> None:
    bad = {**DEFINITION, "questions": [{**DEFINITION["questions"][0], "min": 2}]}
    with pytest.raises(FormDefinitionError, match="only number questions take min and max"):
        check_definition(bad)
