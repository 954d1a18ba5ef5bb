"""Property-based run of the whole API from its own OpenAPI document (schemathesis).

Every operation gets generated requests, as an operator (or an admin for the admin
operations): no answer may be a 5xx, and every answer must match the documented schema
for its status. Bounded by a small number of examples per operation (about 30 s).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from server.embedded import EmbeddedServer
from tests.server.helpers import DEMO_LOGIN, login
from tests.server.test_roles import ADMIN_LOGIN, seed_second_operator_and_admin


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    path = tmp_path_factory.mktemp("fuzz") / "server.db"
    embedded = EmbeddedServer(path, seed_demo=True)
    embedded.start()
    seed_second_operator_and_admin(path)
    yield embedded
    embedded.stop()


@pytest.fixture(scope="module")
def tokens(fuzz_server: EmbeddedServer) -> dict[str, dict[str, str]]:
    with httpx.Client(base_url=fuzz_server.url, timeout=10) as http:
        return {
            "operator": login(http, {**DEMO_LOGIN, "device_id": "demo-tablet-1"}),
            "admin": login(http, ADMIN_LOGIN),
        }


def test_api_never_5xx_and_matches_its_schema(
    fuzz_server: EmbeddedServer, tokens: dict[str, dict[str, str]]
) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    tried: list[str] = []
    for operation in operations:
        if operation.path == "/api/v1/auth/logout":
            continue  # it would revoke the token the rest of the run uses
        auth = tokens["admin" if operation.path.startswith("/api/v1/admin") else "operator"]

        @given(case=operation.as_strategy(), auth=st.just(auth))
        @settings(
            max_examples=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: schemathesis.Case, auth: dict[str, str]) -> None:
            headers = {**(case.headers or {}), **auth}
            case.call_and_validate(
                headers=headers,
                timeout=10,
                checks=[not_a_server_error, response_schema_conformance],
            )

        run()
        tried.append(f"{operation.method.upper()} {operation.path}")
    assert len(tried) == len(operations) - 1
