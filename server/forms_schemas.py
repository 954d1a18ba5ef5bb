"""Pydantic models of form definitions as the API sends them (OpenAPI document).

Requests carry the definition as a plain JSON object: `wire.forms.check_definition`
judges it, so a bad one is answered with a message naming the question rather than a
generic schema error.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

QuestionType = Literal[
    "single_choice", "multiple_choice", "rating", "yes_no", "number", "short_text"
]


class QuestionOut(BaseModel):
    id: str
    type: QuestionType
    label: str
    help: str = ""
    required: bool = False
    choices: list[str] | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None


class FormOut(BaseModel):
    id: str
    version: int
    title: str
    description: str = ""
    questions: list[QuestionOut]


class FormIn(BaseModel):
    definition: dict[str, Any] = Field(
        description="{id, title, description?, questions: [{id, type, label, help?, "
        "required?, choices?, min?, max?, max_length?}]}"
    )


class FormResponse(BaseModel):
    server_time: str
    form: FormOut


class FormsResponse(BaseModel):
    server_time: str
    forms: list[FormOut]
