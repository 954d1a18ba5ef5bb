"""Accounts, roles, access tokens and rotating refresh tokens.

Passwords are hashed by `server.passwords` (argon2id). Tokens are random; only their
sha256 is stored, with an expiry, so a copy of the database does not hand out working
tokens. A login starts a token *family*: a short-lived access token plus a refresh token
that rotates on every use. A rotated refresh token keeps working for a short grace
window (the tablet may have lost the answer) and then answers with the *same* successor
every time, derived from the token with a key only the server holds, so a reuse never
forks the login into a second chain; replayed after the window, the whole family is
revoked. A password reset, a role change and disabling end every session of the account
(`end_sessions`). Nothing here logs a password or a token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from server.clock import server_time, utc_now
from server.dbapi import Connection, Store
from server.deps import get_db
from server.passwords import hash_password, needs_rehash, verify_password, waste_time
from server.settings import Settings

OPERATOR: Final = "operator"
SUPERVISOR: Final = "supervisor"
ADMIN: Final = "admin"
ROLES: Final = frozenset({OPERATOR, SUPERVISOR, ADMIN})


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


def upsert_user(
    conn: Connection,
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


def end_sessions(conn: Connection, username: str) -> None:
    """Every access and refresh token of the account stops working."""
    conn.execute("DELETE FROM tokens WHERE username = ?", (username,))
    conn.execute("DELETE FROM refresh_tokens WHERE username = ?", (username,))


def authenticate(db: Store, username: str, password: str, settings: Settings) -> User | None:
    """The account, if the password is right; a hash made at an older cost is upgraded."""
    with db.read() as conn:
        row = conn.execute(
            "SELECT username, password_hash, role, display_name FROM users"
            " WHERE username = ? AND disabled = 0",
            (username,),
        ).fetchone()
    if row is None:
        waste_time(password, settings)
        return None
    stored = str(row["password_hash"])
    if not verify_password(password, stored):
        return None
    if needs_rehash(stored, settings):
        upgraded = hash_password(password, settings)
        with db.write() as conn:
            # Only if nobody changed the password meanwhile; the sessions stay.
            conn.execute(
                "UPDATE users SET password_hash = ? WHERE username = ? AND password_hash = ?",
                (upgraded, username, stored),
            )
    return User(row["username"], row["role"], row["display_name"])


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _insert_access(
    conn: Connection,
    token: str,
    username: str,
    device_id: str | None,
    ttl_s: int,
    family: str | None,
) -> None:
    now = utc_now().timestamp()
    conn.execute("DELETE FROM tokens WHERE expires_at < ?", (now,))
    # OR IGNORE: a successor handed out again within the grace window is already there.
    conn.execute(
        "INSERT OR IGNORE INTO tokens(token_sha256, username, device_id, created_at,"
        " expires_at, family) VALUES (?, ?, ?, ?, ?, ?)",
        (_token_digest(token), username, device_id, server_time(), now + ttl_s, family),
    )


def _insert_refresh(
    conn: Connection,
    token: str,
    username: str,
    device_id: str | None,
    family: str,
    ttl_s: int,
) -> None:
    now = utc_now().timestamp()
    conn.execute("DELETE FROM refresh_tokens WHERE expires_at < ?", (now,))
    conn.execute(
        "INSERT OR IGNORE INTO refresh_tokens(token_sha256, family, username, device_id,"
        " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        (_token_digest(token), family, username, device_id, server_time(), now + ttl_s),
    )


def _successor(conn: Connection, refresh_token: str, kind: str) -> str:
    """The token that replaces `refresh_token`: the same every time it is asked for."""
    key = conn.execute("SELECT value FROM meta WHERE key = 'token_key'").fetchone()[0]
    mac = hmac.new(bytes.fromhex(key), f"{kind}:{refresh_token}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode("ascii").rstrip("=")


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    access_token: str
    refresh_token: str


def start_session(db: Store, user: User, device_id: str | None, settings: Settings) -> Session:
    """Tokens for a fresh login: a new family with one access and one refresh token."""
    family = secrets.token_hex(16)
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with db.write() as conn:
        _insert_access(conn, access, user.username, device_id, settings.token_ttl_s, family)
        _insert_refresh(conn, refresh, user.username, device_id, family, settings.refresh_ttl_s)
    return Session(User(user.username, user.role, user.display_name, device_id), access, refresh)


class RefreshRefused(Exception):
    """The refresh token is unknown, expired, revoked or was replayed after its grace."""

    def __init__(self, reason: str, *, replayed: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.replayed = replayed


def refresh_session(db: Store, refresh_token: str, settings: Settings) -> Session:
    """Rotate `refresh_token`: new access and refresh tokens in the same family.

    A token already rotated less than `refresh_grace_s` ago answers again with the same
    successor (the caller may never have received it); later, the family is revoked.
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
            access = _successor(conn, refresh_token, "access")
            refresh = _successor(conn, refresh_token, "refresh")
            _insert_access(conn, access, username, device_id, settings.token_ttl_s, family)
            _insert_refresh(conn, refresh, username, device_id, family, settings.refresh_ttl_s)
    if replayed:
        raise RefreshRefused(
            "refresh token was already used: every session of this login is revoked, log in again",
            replayed=True,
        )
    user = User(username, str(row["role"]), str(row["display_name"]), device_id)
    return Session(user, access, refresh)


def revoke_family(conn: Connection, family: str) -> None:
    conn.execute("DELETE FROM refresh_tokens WHERE family = ?", (family,))
    conn.execute("DELETE FROM tokens WHERE family = ?", (family,))


def logout(db: Store, access_token: str) -> None:
    """Revoke the login the access token belongs to (its refresh tokens too)."""
    with db.write() as conn:
        row = conn.execute(
            "SELECT family FROM tokens WHERE token_sha256 = ?", (_token_digest(access_token),)
        ).fetchone()
        if row is not None and row["family"] is not None:
            revoke_family(conn, str(row["family"]))
        conn.execute("DELETE FROM tokens WHERE token_sha256 = ?", (_token_digest(access_token),))


def resolve_token(db: Store, token: str) -> User | None:
    row = db.read_one(
        "SELECT u.username, u.role, u.display_name, t.device_id FROM tokens t"
        " JOIN users u ON u.username = t.username"
        " WHERE t.token_sha256 = ? AND t.expires_at > ? AND u.disabled = 0",
        (_token_digest(token), utc_now().timestamp()),
    )
    if row is None:
        return None
    return User(row["username"], row["role"], row["display_name"], row["device_id"])


_bearer = HTTPBearer(auto_error=False, description="The access_token from /api/v1/auth/login")
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def bearer_user(db: Store, credentials: HTTPAuthorizationCredentials | None) -> User:
    """The caller the bearer token names; 401 for a missing, unknown or expired token."""
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


def current_user(credentials: BearerCredentials, db: Annotated[Store, Depends(get_db)]) -> User:
    """The authenticated caller, as a dependency (see `bearer_user`)."""
    return bearer_user(db, credentials)


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
