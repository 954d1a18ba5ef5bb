"""server/auth.py's rules, called directly on a real store (each kind) with a settable clock:
unknown users cost a hash verification too, token lifetimes end exactly when they say,
a refresh inside its grace window answers the same successor, later it revokes the login."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import HTTPException

import server.auth as auth
from server.auth import (
    ADMIN,
    OPERATOR,
    SUPERVISOR,
    RefreshRefused,
    User,
    authenticate,
    logout,
    refresh_session,
    require_role,
    resolve_token,
    start_session,
    upsert_user,
)
from server.clock import Clock, use_clock
from server.dbapi import Store
from server.passwords import waste_time
from server.settings import Settings

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
SETTINGS = Settings(token_ttl_s=900, refresh_ttl_s=3600, refresh_grace_s=120)


class Settable:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def now() -> Iterator[Settable]:
    clock = Settable()
    with use_clock(Clock(clock)):
        yield clock


@pytest.fixture
def db(store: Store, now: Settable) -> Store:
    with store.write() as conn:
        upsert_user(
            conn,
            username="ana",
            password="correct horse",
            role=OPERATOR,
            display_name="Ana",
            settings=SETTINGS,
        )
    return store


def test_unknown_and_disabled_users_cost_a_hash_verification_too(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    wasted: list[str] = []

    def counted(password: str, settings: Settings) -> None:
        wasted.append(password)
        waste_time(password, settings)

    monkeypatch.setattr(auth, "waste_time", counted)
    assert authenticate(db, "nobody", "guess-1", SETTINGS) is None
    assert wasted == ["guess-1"]
    with db.write() as conn:
        conn.execute("UPDATE users SET disabled = 1 WHERE username = 'ana'")
    assert authenticate(db, "ana", "correct horse", SETTINGS) is None
    assert wasted == ["guess-1", "correct horse"]


def test_a_known_user_is_checked_against_their_own_hash_only(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    wasted: list[str] = []
    monkeypatch.setattr(auth, "waste_time", lambda p, s: wasted.append(p))  # and no hashing
    assert authenticate(db, "ana", "wrong", SETTINGS) is None
    assert authenticate(db, "ana", "correct horse", SETTINGS) == User("ana", OPERATOR, "Ana")
    assert wasted == []


def test_an_unknown_role_is_refused(db: Store) -> None:
    with db.write() as conn, pytest.raises(ValueError, match="unknown role 'boss'"):
        upsert_user(
            conn, username="b", password="p", role="boss", display_name="B", settings=SETTINGS
        )


def test_an_access_token_works_until_its_ttl_exactly(db: Store, now: Settable) -> None:
    user = authenticate(db, "ana", "correct horse", SETTINGS)
    assert user is not None
    session = start_session(db, user, "tablet-7", SETTINGS)
    assert session.user == User("ana", OPERATOR, "Ana", "tablet-7")
    assert resolve_token(db, session.access_token) == User("ana", OPERATOR, "Ana", "tablet-7")
    now.now = T0 + timedelta(seconds=899)
    assert resolve_token(db, session.access_token) is not None
    now.now = T0 + timedelta(seconds=900)
    assert resolve_token(db, session.access_token) is None
    assert resolve_token(db, "not-a-token") is None


def test_a_disabled_account_s_tokens_stop_working(db: Store) -> None:
    session = start_session(db, User("ana", OPERATOR, "Ana"), None, SETTINGS)
    with db.write() as conn:
        conn.execute("UPDATE users SET disabled = 1 WHERE username = 'ana'")
    assert resolve_token(db, session.access_token) is None
    with pytest.raises(RefreshRefused, match="this account is disabled"):
        refresh_session(db, session.refresh_token, SETTINGS)


def test_expired_tokens_are_deleted_when_new_ones_are_issued(db: Store, now: Settable) -> None:
    start_session(db, User("ana", OPERATOR, "Ana"), None, SETTINGS)
    now.now = T0 + timedelta(seconds=900)
    start_session(db, User("ana", OPERATOR, "Ana"), None, SETTINGS)
    with db.read() as conn:
        # the first access token expired exactly now: kept until it is strictly past
        assert conn.execute("SELECT count(*) FROM tokens").fetchone()[0] == 2
    now.now = T0 + timedelta(seconds=3601)
    start_session(db, User("ana", OPERATOR, "Ana"), None, SETTINGS)
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM tokens").fetchone()[0] == 1
        # refresh tokens: the first expired (T0 + 3600), the second lives to T0 + 4500
        assert conn.execute("SELECT count(*) FROM refresh_tokens").fetchone()[0] == 2


def test_refresh_within_the_grace_window_answers_the_same_successor(
    db: Store, now: Settable
) -> None:
    first = start_session(db, User("ana", OPERATOR, "Ana"), "tablet-7", SETTINGS)
    now.now = T0 + timedelta(seconds=10)
    a = refresh_session(db, first.refresh_token, SETTINGS)
    assert a.user == User("ana", OPERATOR, "Ana", "tablet-7")
    assert {a.access_token, a.refresh_token}.isdisjoint({first.access_token, first.refresh_token})
    now.now = T0 + timedelta(seconds=10 + 120)
    b = refresh_session(db, first.refresh_token, SETTINGS)
    assert (b.access_token, b.refresh_token) == (a.access_token, a.refresh_token)
    assert resolve_token(db, a.access_token) is not None


def test_a_replay_after_the_grace_window_revokes_the_whole_login(db: Store, now: Settable) -> None:
    first = start_session(db, User("ana", OPERATOR, "Ana"), None, SETTINGS)
    other = start_session(db, User("ana", OPERATOR, "Ana"), None, SETTINGS)
    now.now = T0 + timedelta(seconds=10)
    successor = refresh_session(db, first.refresh_token, SETTINGS)
    now.now = T0 + timedelta(seconds=10 + 121)
    with pytest.raises(RefreshRefused) as refused:
        refresh_session(db, first.refresh_token, SETTINGS)
    assert refused.value.replayed
    assert "every session of this login is revoked" in refused.value.reason
    assert resolve_token(db, successor.access_token) is None
    assert resolve_token(db, first.access_token) is None
    with pytest.raises(RefreshRefused) as again:
        refresh_session(db, successor.refresh_token, SETTINGS)
    assert not again.value.replayed
    # another login of the same account is untouched
    assert resolve_token(db, other.access_token) is not None


def test_a_refresh_token_ends_at_its_ttl(db: Store, now: Settable) -> None:
    first = start_session(db, User("ana", OPERATOR, "Ana"), None, SETTINGS)
    now.now = T0 + timedelta(seconds=3599)
    refresh_session(db, first.refresh_token, SETTINGS)
    second = start_session(db, User("ana", OPERATOR, "Ana"), None, SETTINGS)
    now.now = T0 + timedelta(seconds=3599 + 3600)
    with pytest.raises(RefreshRefused, match="unknown or expired"):
        refresh_session(db, second.refresh_token, SETTINGS)


def test_logout_ends_that_login_only(db: Store) -> None:
    one = start_session(db, User("ana", OPERATOR, "Ana"), None, SETTINGS)
    two = start_session(db, User("ana", OPERATOR, "Ana"), None, SETTINGS)
    logout(db, one.access_token)
    assert resolve_token(db, one.access_token) is None
    with pytest.raises(RefreshRefused):
        refresh_session(db, one.refresh_token, SETTINGS)
    assert resolve_token(db, two.access_token) is not None
    logout(db, "unknown-token")  # nothing to end, nothing fails


def test_a_role_check_names_the_roles_needed() -> None:
    check = require_role(SUPERVISOR, "admin").dependency
    supervisor = User("s", SUPERVISOR, "S")
    assert check(supervisor) is supervisor
    with pytest.raises(HTTPException) as refused:
        check(User("o", OPERATOR, "O"))
    assert refused.value.status_code == 403
    assert refused.value.detail == "this needs the role admin or supervisor; you are operator"


def test_who_sees_everything() -> None:
    assert [User("u", r, "U").sees_all for r in (OPERATOR, SUPERVISOR, ADMIN)] == [
        False,
        True,
        True,
    ]
    assert [User("u", r, "U").is_admin for r in (OPERATOR, SUPERVISOR, ADMIN)] == [
        False,
        False,
        True,
    ]


def test_a_resolved_user_cannot_be_changed_by_a_handler() -> None:
    user = User("o", OPERATOR, "O", "tab-1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        user.role = ADMIN  # type: ignore[misc]
    assert {user, User("o", OPERATOR, "O", "tab-1")} == {user}  # hashable, by value
