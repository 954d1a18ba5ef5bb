"""The OpenAPI document describes the bodies; hostile input gets a 4xx, never a 5xx;
logs never carry secrets."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.server.helpers import DEMO_LOGIN, event, push


def test_openapi_describes_request_and_response_bodies(http: httpx.Client) -> None:
    doc = http.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    for name in ("PushRequest", "PushEvent", "PushResponse", "PullRequest", "PullResponse"):
        assert name in schemas, name
    assert set(schemas["PushRequest"]["required"]) >= {"protocol", "client_id", "stream", "events"}
    push_op = doc["paths"]["/api/v1/sync/push"]["post"]
    body_ref = push_op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body_ref.endswith("/PushRequest")
    assert {"413", "426"} <= set(push_op["responses"])
    assert "HTTPBearer" in doc["components"]["securitySchemes"]
    for path in (
        "/api/v1/health",
        "/api/v1/auth/login",
        "/api/v1/assignments/today",
        "/api/v1/routes/{route_id}/status",
        "/api/v1/sync/pull",
    ):
        assert path in doc["paths"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    body=st.fixed_dictionaries(
        {},
        optional={
            "protocol": st.sampled_from([1, 2]) | json_values,
            "client_id": st.text(max_size=10) | json_values,
            "device_id": st.just("demo-tablet-1") | json_values,
            "stream": st.sampled_from(["events", "gps", "other"]),
            "events": st.lists(
                st.fixed_dictionaries(
                    {"seq": st.integers(min_value=-2, max_value=2**64)},
                    optional={
                        "type": st.sampled_from(["note", "fix_batch", "segment_swept", ""]),
                        "sha256": st.text(max_size=4),
                        "payload": json_values,
                        "device_time": st.text(max_size=6) | st.none(),
                        "assignment_version": st.integers() | st.none(),
                    },
                ),
                max_size=4,
            )
            | json_values,
        },
    )
)
def test_push_fuzz_never_5xx(
    http: httpx.Client, auth: dict[str, str], body: dict[str, Any]
) -> None:
    # json.dumps writes NaN/Infinity, which Python's parser accepts: send those too.
    response = http.post(
        "/api/v1/sync/push",
        content=json.dumps(body).encode(),
        headers={**auth, "Content-Type": "application/json"},
    )
    assert response.status_code < 500, response.text
    assert isinstance(response.json(), dict)


@pytest.mark.parametrize("path", ["/api/v1/sync/pull", "/api/v1/auth/login", "/api/v1/sync/push"])
@pytest.mark.parametrize("body", [b"[]", b'{"cursor": 5}', b"\x00\x01", b"1" * 10 + b"[" * 50_000])
def test_hostile_bodies_get_4xx(
    http: httpx.Client, auth: dict[str, str], path: str, body: bytes
) -> None:
    response = http.post(path, content=body, headers={**auth, "Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.text


def test_logs_carry_no_passwords_or_tokens(
    http: httpx.Client, client_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        token = http.post("/api/v1/auth/login", json=DEMO_LOGIN).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        push(http, auth, client_id, [event(1)])
        http.post("/api/v1/auth/login", json={"username": "demo", "password": "wrong-pw"})
    text = "\n".join(r.getMessage() + json.dumps(getattr(r, "fields", {})) for r in caplog.records)
    assert "push" in text
    for secret in (token, "sweep-demo", "wrong-pw"):
        assert secret not in text
