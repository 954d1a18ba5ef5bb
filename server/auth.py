"""Accounts, roles, password hashes, access tokens and rotating refresh tokens.

Passwords are hashed with scrypt (memory-hard, in the standard library) and a per-user
salt. Tokens are random; only their sha256 is stored, with an expiry, so a copy of the
database does not hand out working tokens. A login starts a token *family*: a
short-lived access token plus a refresh token that rotates on every use. A rotated
refresh token keeps working for a short grace window (the tablet may have lost the
answer); replayed after it, the whole family is revoked. Nothing here logs a password
or a token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import sqlite3
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from server.clock import server_time, utc_now
from server.db import Database
from server.deps import get_db
from server.settings import Settings

OPERATOR: Final = "operator"
SUPERVISOR: Final = "supervisor"
ADMIN: Final = "admin"
ROLES: Final = frozenset({OPERATOR, SUPERVISOR, ADMIN})
_SCHEME: Final = "scrypt"


@dataclass(frozen=True, slots=True)
class User:
    username: str
    role: str
    display_name: str
    # The device the token was issued for, when the login named one.
    device_id: str | None = None

    @property
    def sees_all(self) -> bool:
        """Supervisors and admins read every operator's data; operators only their own."""
        return self.role in (SUPERVISOR, ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


def hash_password(password: str, settings: Settings) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, settings.scrypt_n, settings.scrypt_r, settings.scrypt_p)
    return "$".join(
        [
            _SCHEME,
            str(settings.scrypt_n),
            str(settings.scrypt_r),
            str(settings.scrypt_p),
            base64.b64encode(salt).decode(),
            base64.b64encode(digest).decode(),
        ]
    )


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != _SCHEME:
            return False
        salt = base64.b64decode(salt_b64)
        expected = base64.b64decode(digest_b64)
        actual = _scrypt(password, salt, int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32
    )


def upsert_user(
    conn: sqlite3.Connection,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str,
    settings: Settings,
) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    conn.execute(
        "INSERT INTO users(username, password_hash, role, display_name) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash,"
        " role = excluded.role, display_name = excluded.display_name",
        (username, hash_password(password, settings), role, display_name),
    )


# Verified against when the username does not exist, so both answers take as long.
_DUMMY_HASH: Final = (
    "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
)


def authenticate(db: Database, username: str, password: str) -> User | None:
    with db.read() as conn:
        row = conn.execute(
            "SELECT username, password_hash, role, display_name FROM users"
            " WHERE username = ? AND disabled = 0",
            (username,),
        ).fetchone()
    if row is None:
        verify_password(password, _DUMMY_HASH)
        return None
    if not verify_password(password, row["password_hash"]):
        return None
    return User(row["username"], row["role"], row["display_name"])


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    db: Database, user: User, device_id: str | None, ttl_s: int, family: str | None = None
) -> str:
    """A new access token (an existing connection: use `_insert_access`)."""
    with db.write() as conn:
        return _insert_access(conn, user.username, device_id, ttl_s, family)


def _insert_access(
    conn: sqlite3.Connection, username: str, device_id: str | None, ttl_s: int, family: str | None
) -> str:
    token = secrets.token_urlsafe(32)
    now = utc_now().timestamp()
    conn.execute("DELETE FROM tokens WHERE expires_at < ?", (now,))
    conn.execute(
        "INSERT INTO tokens(token_sha256, username, device_id, created_at, expires_at, family)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (_token_digest(token), username, device_id, server_time(), now + ttl_s, family),
    )
    return token


def _insert_refresh(
    conn: sqlite3.Connection, username: str, device_id: str | None, family: str, ttl_s: int
) -> str:
    token = secrets.token_urlsafe(32)
    now = utc_now().timestamp()
    conn.execute("DELETE FROM refresh_tokens WHERE expires_at < ?", (now,))
    conn.execute(
        "INSERT INTO refresh_tokens(token_sha256, family, username, device_id, created_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        (_token_digest(token), family, username, device_id, server_time(), now + ttl_s),
    )
    return token


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    access_token: str
    refresh_token: str


def start_session(db: Database, user: User, device_id: str | None, settings: Settings) -> Session:
    """Tokens for a fresh login: a new family with one access and one refresh token."""
    family = secrets.token_hex(16)
    with db.write() as conn:
        access = _insert_access(conn, user.username, device_id, settings.token_ttl_s, family)
        refresh = _insert_refresh(conn, user.username, device_id, family, settings.refresh_ttl_s)
    return Session(User(user.username, user.role, user.display_name, device_id), access, refresh)


class RefreshRefused(Exception):
    """The refresh token is unknown, expired, revoked or was replayed after its grace."""

    def __init__(self, reason: str, *, replayed: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.replayed = replayed


def refresh_session(db: Database, refresh_token: str, settings: Settings) -> Session:
    """Rotate `refresh_token`: new access and refresh tokens in the same family.

    A token already rotated less than `refresh_grace_s` ago is honoured again (the
    caller may never have received the previous answer); later, the family is revoked.
    """
    now = utc_now().timestamp()
    with db.write() as conn:
        row = conn.execute(
            "SELECT r.family, r.device_id, r.expires_at, r.replaced_at, u.username, u.role,"
            " u.display_name, u.disabled FROM refresh_tokens r"
            " JOIN users u ON u.username = r.username WHERE r.token_sha256 = ?",
            (_token_digest(refresh_token),),
        ).fetchone()
        if row is None or row["expires_at"] <= now:
            raise RefreshRefused("refresh token unknown or expired: log in again")
        if row["disabled"]:
            raise RefreshRefused("this account is disabled")
        family = str(row["family"])
        replaced_at = row["replaced_at"]
        replayed = replaced_at is not None and now - float(replaced_at) > settings.refresh_grace_s
        if replayed:
            # Committed (the exception is raised after the transaction): a replayed token
            # may be a stolen one, so every token of this login stops working.
            revoke_family(conn, family)
        elif replaced_at is None:
            conn.execute(
                "UPDATE refresh_tokens SET replaced_at = ? WHERE token_sha256 = ?",
                (now, _token_digest(refresh_token)),
            )
        username, device_id = str(row["username"]), row["device_id"]
        if not replayed:
            access = _insert_access(conn, username, device_id, settings.token_ttl_s, family)
            refresh = _insert_refresh(conn, username, device_id, family, settings.refresh_ttl_s)
    if replayed:
        raise RefreshRefused(
            "refresh token was already used: every session of this login is revoked, log in again",
            replayed=True,
        )
    user = User(username, str(row["role"]), str(row["display_name"]), device_id)
    return Session(user, access, refresh)


def revoke_family(conn: sqlite3.Connection, family: str) -> None:
    conn.execute("DELETE FROM refresh_tokens WHERE family = ?", (family,))
    conn.execute("DELETE FROM tokens WHERE family = ?", (family,))


def logout(db: Database, access_token: str) -> None:
    """Revoke the login the access token belongs to (its refresh tokens too)."""
    with db.write() as conn:
        row = conn.execute(
            "SELECT family FROM tokens WHERE token_sha256 = ?", (_token_digest(access_token),)
        ).fetchone()
        if row is not None and row["family"] is not None:
            revoke_family(conn, str(row["family"]))
        conn.execute("DELETE FROM tokens WHERE token_sha256 = ?", (_token_digest(access_token),))


def resolve_token(db: Database, token: str) -> User | None:
    with db.read() as conn:
        row = conn.execute(
            "SELECT u.username, u.role, u.display_name, t.device_id FROM tokens t"
            " JOIN users u ON u.username = t.username"
            " WHERE t.token_sha256 = ? AND t.expires_at > ? AND u.disabled = 0",
            (_token_digest(token), utc_now().timestamp()),
        ).fetchone()
    if row is None:
        return None
    return User(row["username"], row["role"], row["display_name"], row["device_id"])


class LoginThrottle:
    """Counts failed logins per username in a sliding window (in memory, per process)."""

    def __init__(self, allowed: int, window_s: float) -> None:
        self._allowed = allowed
        self._window_s = window_s
        self._failures: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def retry_after(self, username: str) -> int | None:
        """Seconds until another attempt is allowed, or None if allowed now."""
        now = time.monotonic()
        with self._lock:
            failures = self._failures.get(username)
            if not failures:
                return None
            while failures and failures[0] <= now - self._window_s:
                failures.popleft()
            if len(failures) < self._allowed:
                return None
            return max(1, int(failures[0] + self._window_s - now) + 1)

    def failed(self, username: str) -> None:
        with self._lock:
            self._failures[username].append(time.monotonic())

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username, None)


_bearer = HTTPBearer(auto_error=False, description="The access_token from /api/v1/auth/login")


def current_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    db: Annotated[Database, Depends(get_db)],
) -> User:
    """The authenticated caller; 401 for a missing, unknown or expired token."""
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing bearer token: log in first",
            headers={"WWW-Authenticate": "Bearer"},
        )
    user = resolve_token(db, credentials.credentials)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "token unknown or expired: log in again",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The raw bearer token (after `current_user` has checked it)."""
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing bearer token: log in first")
    return credentials.credentials


def require_role(*roles: str) -> Any:
    """A dependency that admits only callers with one of `roles` (403 otherwise)."""
    allowed = frozenset(roles)

    def check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this needs the role {' or '.join(sorted(allowed))}; you are {user.role}",
            )
        return user

    return Depends(check)


AdminUser = Annotated[User, require_role(ADMIN)]
StaffUser = Annotated[User, require_role(SUPERVISOR, ADMIN)]
OperatorUser = Annotated[User, require_role(OPERATOR)]
