"""Accounts, password hashes and bearer tokens.

Passwords are hashed with scrypt (memory-hard, in the standard library) and a per-user
salt. Tokens are random; only their sha256 is stored, with an expiry, so a copy of the
database does not hand out working tokens. Nothing here logs a password or a token.
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
from typing import Annotated, Final

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from server.clock import server_time
from server.db import Database
from server.deps import get_db
from server.settings import Settings

ROLES: Final = frozenset({"operator", "supervisor"})
_SCHEME: Final = "scrypt"


@dataclass(frozen=True, slots=True)
class User:
    username: str
    role: str
    display_name: str
    # The device the token was issued for, when the login named one.
    device_id: str | None = None

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


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
            "SELECT username, password_hash, role, display_name FROM users WHERE username = ?",
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


def issue_token(db: Database, user: User, device_id: str | None, ttl_s: int) -> str:
    token = secrets.token_urlsafe(32)
    now = time.time()
    with db.write() as conn:
        conn.execute("DELETE FROM tokens WHERE expires_at < ?", (now,))
        conn.execute(
            "INSERT INTO tokens(token_sha256, username, device_id, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (_token_digest(token), user.username, device_id, server_time(), now + ttl_s),
        )
    return token


def resolve_token(db: Database, token: str) -> User | None:
    with db.read() as conn:
        row = conn.execute(
            "SELECT u.username, u.role, u.display_name, t.device_id FROM tokens t"
            " JOIN users u ON u.username = t.username"
            " WHERE t.token_sha256 = ? AND t.expires_at > ?",
            (_token_digest(token), time.time()),
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
