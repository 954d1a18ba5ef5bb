"""Form definitions and answers: the rules both the tablet and the server apply.

A form is a versioned definition the server owns and the tablet pulls. The server refuses
an invalid definition with a message naming the question; the tablet checks an answer
before recording it, and the server checks it again against the form version it names
(an answer that does not match is `rejected` with the reason, never dropped). Keeping
the one definition of "valid" here means the two sides cannot disagree.

Labels, help texts and choices are plain text: whoever shows them must show them as
text, never as markup.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Final

SINGLE_CHOICE: Final = "single_choice"
MULTIPLE_CHOICE: Final = "multiple_choice"
RATING: Final = "rating"
YES_NO: Final = "yes_no"
NUMBER: Final = "number"
SHORT_TEXT: Final = "short_text"
QUESTION_TYPES: Final = (SINGLE_CHOICE, MULTIPLE_CHOICE, RATING, YES_NO, NUMBER, SHORT_TEXT)
CHOICE_TYPES: Final = frozenset({SINGLE_CHOICE, MULTIPLE_CHOICE})
RATING_MIN: Final = 1
RATING_MAX: Final = 5

MAX_QUESTIONS: Final = 50
MAX_CHOICES: Final = 20
MAX_TITLE: Final = 200
MAX_LABEL: Final = 500
MAX_HELP: Final = 1000
MAX_CHOICE: Final = 200
DEFAULT_TEXT_LENGTH: Final = 200
MAX_TEXT_LENGTH: Final = 2000
_ID: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_QUESTION_KEYS: Final = frozenset(
    {"id", "type", "label", "help", "required", "choices", "min", "max", "max_length"}
)
_FORM_KEYS: Final = frozenset({"id", "title", "description", "questions"})


class FormDefinitionError(ValueError):
    """An invalid form definition; the message names the question at fault."""


def _text(value: object, limit: int) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= limit


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_question(where: str, question: Mapping[str, Any]) -> None:
    # A normalised definition (what the server stores and tablets pull) spells "does not
    # apply" as null; null means absent, so a definition re-checks as valid.
    question = {k: v for k, v in question.items() if v is not None}
    unknown = sorted(set(question) - _QUESTION_KEYS)
    if unknown:
        raise FormDefinitionError(f"{where}: unknown field(s) {', '.join(unknown)}")
    qtype = question.get("type")
    if qtype not in QUESTION_TYPES:
        raise FormDefinitionError(
            f"{where}: type {qtype!r} is not one of {', '.join(QUESTION_TYPES)}"
        )
    if not _text(question.get("label"), MAX_LABEL):
        raise FormDefinitionError(f"{where}: needs a label of 1–{MAX_LABEL} characters")
    if "help" in question and not (
        isinstance(question["help"], str) and len(question["help"]) <= MAX_HELP
    ):
        raise FormDefinitionError(f"{where}: help must be text of at most {MAX_HELP} characters")
    if "required" in question and not isinstance(question["required"], bool):
        raise FormDefinitionError(f"{where}: required must be true or false")
    choices = question.get("choices")
    if qtype in CHOICE_TYPES:
        if not isinstance(choices, list) or not 2 <= len(choices) <= MAX_CHOICES:
            raise FormDefinitionError(f"{where}: {qtype} needs 2–{MAX_CHOICES} choices")
        for n, choice in enumerate(choices, 1):
            if not _text(choice, MAX_CHOICE):
                raise FormDefinitionError(
                    f"{where}: choice {n} must be text of 1–{MAX_CHOICE} characters"
                )
        if len(set(choices)) != len(choices):
            raise FormDefinitionError(f"{where}: choices must be different from each other")
    elif choices is not None:
        raise FormDefinitionError(f"{where}: {qtype} does not take choices")
    bounds = [question.get(k) for k in ("min", "max") if k in question]
    if bounds and qtype != NUMBER:
        raise FormDefinitionError(f"{where}: only number questions take min and max")
    if not all(_number(b) for b in bounds):
        raise FormDefinitionError(f"{where}: min and max must be finite numbers")
    if len(bounds) == 2 and question["min"] > question["max"]:
        raise FormDefinitionError(f"{where}: min is above max")
    if "max_length" in question:
        limit = question["max_length"]
        if qtype != SHORT_TEXT:
            raise FormDefinitionError(f"{where}: only short_text questions take max_length")
        if (
            not isinstance(limit, int)
            or isinstance(limit, bool)
            or not 1 <= limit <= MAX_TEXT_LENGTH
        ):
            raise FormDefinitionError(f"{where}: max_length must be 1–{MAX_TEXT_LENGTH}")


def check_definition(definition: object) -> dict[str, Any]:
    """The definition, normalised (defaults filled in); `FormDefinitionError` if invalid."""
    if not isinstance(definition, dict):
        raise FormDefinitionError("a form definition must be a JSON object")
    unknown = sorted(set(definition) - _FORM_KEYS)
    if unknown:
        raise FormDefinitionError(f"form: unknown field(s) {', '.join(unknown)}")
    form_id = definition.get("id")
    if not isinstance(form_id, str) or not _ID.match(form_id):
        raise FormDefinitionError(
            "form: id must be 1–64 letters, digits, '.', '_' or '-', starting with a letter "
            "or digit"
        )
    if not _text(definition.get("title"), MAX_TITLE):
        raise FormDefinitionError(f"form {form_id!r}: needs a title of 1–{MAX_TITLE} characters")
    description = definition.get("description", "")
    if not isinstance(description, str) or len(description) > MAX_HELP:
        raise FormDefinitionError(
            f"form {form_id!r}: description must be text of at most {MAX_HELP} characters"
        )
    questions = definition.get("questions")
    if not isinstance(questions, list) or not 1 <= len(questions) <= MAX_QUESTIONS:
        raise FormDefinitionError(f"form {form_id!r}: needs 1–{MAX_QUESTIONS} questions")
    seen: set[str] = set()
    normalised: list[dict[str, Any]] = []
    for n, question in enumerate(questions, 1):
        qid = question.get("id") if isinstance(question, dict) else None
        where = f"question {n}" + (f" ({qid!r})" if isinstance(qid, str) else "")
        if not isinstance(question, dict):
            raise FormDefinitionError(f"{where}: must be a JSON object")
        if not isinstance(qid, str) or not _ID.match(qid):
            raise FormDefinitionError(f"{where}: id must be 1–64 letters, digits, '.', '_' or '-'")
        if qid in seen:
            raise FormDefinitionError(f"{where}: the id is used by an earlier question")
        seen.add(qid)
        _check_question(where, question)
        item = dict(question)
        item.setdefault("required", False)
        item.setdefault("help", "")
        if item["type"] == SHORT_TEXT:
            item.setdefault("max_length", DEFAULT_TEXT_LENGTH)
        normalised.append(item)
    return {
        "id": form_id,
        "title": definition["title"],
        "description": description,
        "questions": normalised,
    }


def _is_empty(value: object) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def check_answer_value(question: Mapping[str, Any], value: object) -> str | None:
    """Why `value` does not answer `question` (None when it does, or when it is empty)."""
    qid, qtype = question["id"], question["type"]
    if _is_empty(value):
        return f"question {qid!r} is required" if question.get("required") else None
    choices = question.get("choices") or []
    if qtype == SINGLE_CHOICE:
        if value not in choices:
            return f"question {qid!r}: {value!r} is not one of its choices"
    elif qtype == MULTIPLE_CHOICE:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"question {qid!r}: the answer must be a list of choices"
        if len(set(value)) != len(value):
            return f"question {qid!r}: a choice is given twice"
        outside = [v for v in value if v not in choices]
        if outside:
            return f"question {qid!r}: {outside[0]!r} is not one of its choices"
    elif qtype == RATING:
        if not isinstance(value, int) or isinstance(value, bool):
            return f"question {qid!r}: a rating must be a whole number"
        if not RATING_MIN <= value <= RATING_MAX:
            return f"question {qid!r}: a rating must be {RATING_MIN}–{RATING_MAX}"
    elif qtype == YES_NO:
        if not isinstance(value, bool):
            return f"question {qid!r}: the answer must be yes (true) or no (false)"
    elif qtype == NUMBER:
        if not _number(value):
            return f"question {qid!r}: the answer must be a number"
        assert isinstance(value, int | float)
        if "min" in question and value < question["min"]:
            return f"question {qid!r}: {value} is below the minimum {question['min']}"
        if "max" in question and value > question["max"]:
            return f"question {qid!r}: {value} is above the maximum {question['max']}"
    elif qtype == SHORT_TEXT:
        if not isinstance(value, str):
            return f"question {qid!r}: the answer must be text"
        limit = int(question.get("max_length", DEFAULT_TEXT_LENGTH))
        if len(value) > limit:
            return f"question {qid!r}: the answer is longer than {limit} characters"
    return None


def check_answers(definition: Mapping[str, Any], answers: object) -> str | None:
    """Why `answers` (question id → value) do not fit this form version, or None."""
    if not isinstance(answers, dict):
        return "answers must be a JSON object of question id → answer"
    questions = {q["id"]: q for q in definition["questions"]}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        return f"question {unknown[0]!r} is not in this version of the form"
    for qid, question in questions.items():
        reason = check_answer_value(question, answers.get(qid))
        if reason:
            return reason
    return None
