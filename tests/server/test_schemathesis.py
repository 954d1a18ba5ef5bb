"""Property-based run of the whole API from its own OpenAPI document (schemathesis).

Every operation gets generated requests, valid ones and invalid ones (schemathesis's
positive and negative modes), as an operator (or an admin for the admin operations).
No answer may be a 5xx, and every answer must be one the document describes: its status
code, content type, headers and body schema. Every violation is collected and the test
fails listing them all, rather than stopping at the first. Bounded by a small number of
examples per operation and mode.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Err
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.embedded import EmbeddedServer
from tests.server.conftest import NewStore
from tests.server.helpers import DEMO_LOGIN, login
from tests.server.test_roles import ADMIN_LOGIN, seed_second_operator_and_admin

# More examples per operation and mode for a longer soak: SWEEPLINE_FUZZ_EXAMPLES=200.
EXAMPLES = int(os.environ.get("SWEEPLINE_FUZZ_EXAMPLES", "15"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzz_server(new_store: NewStore) -> Iterator[EmbeddedServer]:
    embedded = EmbeddedServer(new_store(), seed_demo=True)
    embedded.start()
    seed_second_operator_and_admin(embedded.store)
    yield embedded
    embedded.stop()


@pytest.fixture(scope="module")
def tokens(fuzz_server: EmbeddedServer) -> dict[str, dict[str, str]]:
    with httpx.Client(base_url=fuzz_server.url, timeout=10) as http:
        return {
            "operator": login(http, {**DEMO_LOGIN, "device_id": "demo-tablet-1"}),
            "admin": login(http, ADMIN_LOGIN),
        }


def _describe(failure: BaseException) -> list[str]:
    """One text per distinct problem (schemathesis groups them)."""
    if isinstance(failure, BaseExceptionGroup):
        return [text for inner in failure.exceptions for text in _describe(inner)]
    text = str(failure).strip() or type(failure).__name__
    return [f"{type(failure).__name__}: {text}"]


def test_api_never_5xx_and_every_answer_is_documented(
    fuzz_server: EmbeddedServer, tokens: dict[str, dict[str, str]]
) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()  # the document itself is invalid
        operations.append(result.ok())
    assert len(operations) >= 15
    violations: dict[str, str] = {}
    tried: list[str] = []
    for operation in operations:
        if operation.path == "/api/v1/auth/logout":
            continue  # it would revoke the token the rest of the run uses
        auth = tokens["admin" if operation.path.startswith("/api/v1/admin") else "operator"]
        name = f"{operation.method.upper()} {operation.path}"
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(
                case=operation.as_strategy(generation_mode=mode),
                auth=st.just(auth),
                name=st.just(name),
            )
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
            def run(case: schemathesis.Case[Any], auth: dict[str, str], name: str) -> None:
                headers = {**dict(case.headers or {}), **auth}
                try:
                    case.call_and_validate(headers=headers, timeout=10, checks=CHECKS)
                except (AssertionError, Failure, FailureGroup) as failure:
                    for text in _describe(failure):
                        violations.setdefault(f"{name}: {text.splitlines()[0]}", text[:700])

            try:
                run()
            except Unsatisfiable:
                # Nothing to get wrong: an operation with no parameters and no body.
                assert mode is GenerationMode.NEGATIVE, name
        tried.append(name)
    assert len(tried) == len(operations) - 1
    assert not violations, f"{len(violations)} violations:\n" + "\n\n".join(violations.values())
