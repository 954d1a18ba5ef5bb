"""RELIABILITY "Trust boundaries" for accounts: a password reset, a role change or
disabling ends every session; login throttling counts atomically per account and per
address, slows the owner without locking them out, and forgets; a refresh token reused
inside its grace window gets the same successor; passwords are hashed at OWASP's cost
and old hashes are upgraded at the next login."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from server.embedded import EmbeddedServer
from server.settings import Settings
from tests.server.conftest import NewStore
from tests.server.helpers import DEMO_LOGIN, login
from tests.server.test_roles import ADMIN_LOGIN, seed_second_operator_and_admin


@pytest.fixture(scope="module")
def srv(new_store: NewStore) -> Iterator[EmbeddedServer]:
    embedded = EmbeddedServer(new_store(), seed_demo=True)
    embedded.start()
    seed_second_operator_and_admin(embedded.store)
    yield embedded
    embedded.stop()


@pytest.fixture
def h(srv: EmbeddedServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=srv.url, timeout=30) as client:
        yield client


def _session(h: httpx.Client, username: str, password: str) -> dict[str, str]:
    response = h.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    return {"access": body["access_token"], "refresh": body["refresh_token"]}


def _alive(h: httpx.Client, session: dict[str, str]) -> tuple[int, int]:
    access = h.get("/api/v1/routes", headers={"Authorization": f"Bearer {session['access']}"})
    refresh = h.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh"]})
    return access.status_code, refresh.status_code


def _save_user(h: httpx.Client, boss: dict[str, str], **user: str) -> None:
    response = h.post("/api/v1/admin/users", json=user, headers=boss)
    assert response.status_code == 200, response.text


# -- 3: every session ends ------------------------------------------------------------


def test_password_reset_role_change_and_disabling_end_every_session(h: httpx.Client) -> None:
    boss = login(h, ADMIN_LOGIN)
    for name in ("reset-op", "role-op", "off-op"):
        _save_user(h, boss, username=name, password="first-password", role="operator")
    reset = _session(h, "reset-op", "first-password")
    role = _session(h, "role-op", "first-password")
    off = _session(h, "off-op", "first-password")
    assert _alive(h, reset)[0] == 200

    _save_user(h, boss, username="reset-op", password="second-password", role="operator")
    _save_user(h, boss, username="role-op", password="first-password", role="supervisor")
    disabled = h.post("/api/v1/admin/users/off-op/disabled", json={"disabled": True}, headers=boss)
    assert disabled.status_code == 200

    assert _alive(h, reset) == (401, 401), "a password reset ends the old sessions"
    assert _alive(h, role) == (401, 401), "a role change ends the old sessions"
    assert _alive(h, off) == (401, 401), "disabling ends the old sessions"
    # The new password works; the account itself is fine.
    assert _alive(h, _session(h, "reset-op", "second-password"))[0] == 200


# -- 4: throttling --------------------------------------------------------------------


def _attempt(url: str, username: str, password: str) -> int:
    with httpx.Client(base_url=url, timeout=60) as client:
        response = client.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )
        return response.status_code


def test_parallel_wrong_guesses_are_counted_atomically(new_store: NewStore) -> None:
    settings = Settings(login_failures_allowed=10)
    with (
        EmbeddedServer(new_store(), settings=settings) as url,
        ThreadPoolExecutor(40) as pool,
    ):
        codes = list(pool.map(lambda _: _attempt(url, "demo", "wrong guess"), range(40)))
    assert codes.count(401) <= 10, codes
    assert set(codes) <= {401, 429}


def test_sprayed_usernames_are_limited_per_client_address(new_store: NewStore) -> None:
    with (
        EmbeddedServer(new_store()) as url,
        httpx.Client(base_url=url, timeout=30) as http,
    ):
        codes = [
            http.post(
                "/api/v1/auth/login", json={"username": f"user{n}", "password": "Winter2026!"}
            ).status_code
            for n in range(150)
        ]
    assert 429 in codes, "150 usernames from one address, never slowed down"
    assert codes.count(401) <= Settings().login_failures_per_address


def test_the_owner_is_slowed_not_locked_out(new_store: NewStore) -> None:
    settings = Settings()
    with (
        EmbeddedServer(new_store(), settings=settings) as url,
        httpx.Client(base_url=url, timeout=30) as http,
    ):
        for _ in range(settings.login_failures_allowed):
            assert http.post(
                "/api/v1/auth/login", json={"username": "demo", "password": "guess"}
            ).status_code in (401, 429)
        owner = http.post("/api/v1/auth/login", json=DEMO_LOGIN)
        if owner.status_code == 429:
            wait = int(owner.headers["Retry-After"])
            assert wait <= 2, f"the owner is told to come back in {wait} s: locked out"


def test_after_the_slowdown_the_owner_gets_in(new_store: NewStore) -> None:
    from server.throttle import LoginThrottle

    now = [1000.0]
    settings = Settings()
    server = EmbeddedServer(new_store(), settings=settings)
    with server as url, httpx.Client(base_url=url, timeout=30) as http:
        assert server.app is not None
        server.app.state.login_throttle = LoginThrottle.from_settings(
            settings, clock=lambda: now[0]
        )
        for _ in range(30):
            http.post("/api/v1/auth/login", json={"username": "demo", "password": "guess"})
            now[0] += 0.5
        owner = http.post("/api/v1/auth/login", json=DEMO_LOGIN)
        assert owner.status_code == 429
        wait = int(owner.headers["Retry-After"])
        assert wait <= settings.login_max_delay_s
        now[0] += wait
        assert http.post("/api/v1/auth/login", json=DEMO_LOGIN).status_code == 200


def test_throttle_memory_is_bounded_and_forgets() -> None:
    from server.throttle import LoginThrottle

    now = [0.0]
    throttle = LoginThrottle(
        per_account=3,
        per_address=10**9,
        window_s=60.0,
        max_delay_s=30.0,
        max_keys=500,
        clock=lambda: now[0],
    )
    for n in range(5000):
        attempt = throttle.begin(f"never-seen-{n}", "10.0.0.1")
        assert not isinstance(attempt, int)
        throttle.failed(attempt)
    assert len(throttle) <= 500
    now[0] += 61.0
    throttle.begin("someone", "10.0.0.2")
    assert len(throttle) <= 2, "failures older than the window are forgotten"


# -- 5: refresh reuse inside the grace window -----------------------------------------


def test_refresh_reuse_in_the_grace_window_gets_the_same_successor(h: httpx.Client) -> None:
    first = h.post("/api/v1/auth/login", json={**DEMO_LOGIN, "device_id": "demo-tablet-1"})
    token = first.json()["refresh_token"]
    answers = [h.post("/api/v1/auth/refresh", json={"refresh_token": token}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    successors = {a.json()["refresh_token"] for a in answers}
    assert len(successors) == 1, "three reuses made three independent chains"
    assert len({a.json()["access_token"] for a in answers}) == 1
    # The one chain goes on.
    (successor,) = successors
    renewed = h.post("/api/v1/auth/refresh", json={"refresh_token": successor})
    assert renewed.status_code == 200
    auth = {"Authorization": f"Bearer {renewed.json()['access_token']}"}
    assert h.get("/api/v1/assignments/today", headers=auth).status_code == 200


# -- 6: password hashing cost and rehash on login -------------------------------------


def _argon2_params(stored: str) -> dict[str, int]:
    assert stored.startswith("$argon2id$"), stored[:20]
    params = stored.split("$")[3]
    return {k: int(v) for k, v in (p.split("=") for p in params.split(","))}


def _meets_owasp(stored: str) -> bool:
    if stored.startswith("$argon2id$"):
        cost = _argon2_params(stored)
        return cost["m"] >= 19 * 1024 and cost["t"] >= 2 and cost["p"] >= 1
    scheme, n, r, p = stored.split("$")[:4]
    return scheme == "scrypt" and int(n) >= 2**17 and int(r) >= 8 and int(p) >= 1


def test_new_passwords_are_hashed_at_owasps_minimum_cost(
    h: httpx.Client, srv: EmbeddedServer
) -> None:
    boss = login(h, ADMIN_LOGIN)
    _save_user(h, boss, username="fresh-op", password="fresh-password", role="operator")
    with srv.store.read() as conn:
        stored = conn.execute(
            "SELECT password_hash FROM users WHERE username = 'fresh-op'"
        ).fetchone()[0]
    assert _meets_owasp(stored), stored.split("$")[:4]


def test_an_old_hash_is_upgraded_at_the_next_login(h: httpx.Client, srv: EmbeddedServer) -> None:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(b"old-password", salt=salt, n=2**14, r=8, p=1, dklen=32)
    old = "$".join(
        [
            "scrypt",
            "16384",
            "8",
            "1",
            base64.b64encode(salt).decode(),
            base64.b64encode(digest).decode(),
        ]
    )
    with srv.store.write() as conn:
        conn.execute(
            "INSERT INTO users(username, password_hash, role, display_name)"
            " VALUES ('old-op', ?, 'operator', 'Old')",
            (old,),
        )
    session = _session(h, "old-op", "old-password")
    with srv.store.read() as conn:
        stored = conn.execute(
            "SELECT password_hash FROM users WHERE username = 'old-op'"
        ).fetchone()[0]
    assert stored != old
    assert _meets_owasp(stored)
    assert _alive(h, session)[0] == 200, "the upgrade does not end the session it came with"
    assert _session(h, "old-op", "old-password")
    assert (
        h.post(
            "/api/v1/auth/login", json={"username": "old-op", "password": "wrong-password"}
        ).status_code
        == 401
    )
