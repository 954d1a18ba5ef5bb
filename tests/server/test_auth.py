"""Login, tokens and the 401 answers."""

from __future__ import annotations

from pathlib import Path

import httpx

from server.embedded import EmbeddedServer
from server.settings import Settings
from tests.server.conftest import NewStore
from tests.server.helpers import DEMO_LOGIN, SUPERVISOR_LOGIN


def test_health_reports_protocol_and_server_time(http: httpx.Client) -> None:
    body = http.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert body["protocol"] == 1
    assert body["server_time"].endswith("Z")


def test_login_returns_bearer_token_and_user(http: httpx.Client) -> None:
    response = http.post("/api/v1/auth/login", json={**DEMO_LOGIN, "device_id": "demo-tablet-1"})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert len(body["access_token"]) >= 32
    assert 60 <= body["expires_in"] <= 3600  # short-lived: renewed with the refresh token
    assert len(body["refresh_token"]) >= 32
    assert body["user"] == {"username": "demo", "role": "operator", "display_name": "Demo Operator"}
    assert body["server_time"].endswith("Z")


def test_supervisor_can_log_in(http: httpx.Client) -> None:
    response = http.post("/api/v1/auth/login", json=SUPERVISOR_LOGIN)
    assert response.status_code == 200
    assert response.json()["user"]["role"] == "supervisor"


def test_wrong_password_and_unknown_user_are_401(http: httpx.Client) -> None:
    for credentials in (
        {"username": "demo", "password": "nope"},
        {"username": "x", "password": "y"},
    ):
        response = http.post("/api/v1/auth/login", json=credentials)
        assert response.status_code == 401
        assert response.json()["detail"] == "wrong username or password"


def test_missing_or_bogus_token_is_401(http: httpx.Client) -> None:
    assert http.get("/api/v1/assignments/today").status_code == 401
    response = http.get("/api/v1/assignments/today", headers={"Authorization": "Bearer bogus"})
    assert response.status_code == 401
    assert "log in" in response.json()["detail"]
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_tokens_and_passwords_are_not_stored_in_clear(
    http: httpx.Client, server: EmbeddedServer
) -> None:
    token = http.post("/api/v1/auth/login", json=DEMO_LOGIN).json()["access_token"]
    with server.store.read() as conn:  # every stored text, whichever the store
        rows = [
            repr(tuple(row)).encode()
            for table in ("tokens", "refresh_tokens", "users")
            for row in conn.execute(f"SELECT * FROM {table}")
        ]
    data = b"".join(rows)
    if isinstance(server.target, Path):  # and the raw file bytes, WAL included
        data += b"".join(p.read_bytes() for p in server.target.parent.glob("server.db*"))
    assert token.encode() not in data
    assert b"sweep-demo" not in data


def test_expired_token_is_401(new_store: NewStore) -> None:
    with (
        EmbeddedServer(new_store(), settings=Settings(token_ttl_s=0)) as url,
        httpx.Client(base_url=url) as http,
    ):
        token = http.post("/api/v1/auth/login", json=DEMO_LOGIN).json()["access_token"]
        response = http.get(
            "/api/v1/assignments/today", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401


def test_repeated_failed_logins_are_throttled(new_store: NewStore) -> None:
    settings = Settings(login_failures_allowed=3)
    with (
        EmbeddedServer(new_store(), settings=settings) as url,
        httpx.Client(base_url=url) as http,
    ):
        for _ in range(3):
            bad = http.post("/api/v1/auth/login", json={"username": "demo", "password": "x"})
            assert bad.status_code == 401
        throttled = http.post("/api/v1/auth/login", json=DEMO_LOGIN)
        assert throttled.status_code == 429
        assert int(throttled.headers["Retry-After"]) >= 1
        # Other accounts are unaffected.
        assert http.post("/api/v1/auth/login", json=SUPERVISOR_LOGIN).status_code == 200
