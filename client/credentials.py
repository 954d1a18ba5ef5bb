"""Where the login token lives: the OS keyring, or nowhere but memory.

The token never goes to SQLite, config or logs. On a machine with no keyring backend
(a headless Linux box) the token is kept in memory only, and `persistent` says so, so
the UI can tell the operator they will have to log in again after a restart.
"""

from __future__ import annotations

import contextlib
import logging

import keyring
import keyring.errors
from keyring.backends import fail

log = logging.getLogger("sweepline.credentials")

SERVICE = "sweepline"


class TokenVault:
    def __init__(self, service: str = SERVICE) -> None:
        self.service = service
        self._memory: dict[str, str] = {}
        self.persistent = not isinstance(keyring.get_keyring(), fail.Keyring)
        if not self.persistent:
            log.info("no OS keyring available: the login token is kept in memory only")

    def save(self, account: str, token: str, refresh_token: str | None = None) -> None:
        """Keep `account`'s access token and, when given, its refresh token (which lets
        a restarted tablet renew the session without the password)."""
        entries = {account: token}
        if refresh_token:
            entries[_refresh_entry(account)] = refresh_token
        self._memory.update(entries)
        if not self.persistent:
            return
        try:
            for name, secret in entries.items():
                keyring.set_password(self.service, name, secret)
        except keyring.errors.KeyringError as exc:
            self.persistent = False
            log.warning("the OS keyring refused the token (%s); keeping it in memory only", exc)

    def load(self, account: str) -> str | None:
        """`account`'s access token, or None."""
        return self._load(account)

    def load_refresh(self, account: str) -> str | None:
        """`account`'s refresh token, or None."""
        return self._load(_refresh_entry(account))

    def _load(self, name: str) -> str | None:
        if name in self._memory:
            return self._memory[name]
        if not self.persistent:
            return None
        try:
            return keyring.get_password(self.service, name)
        except keyring.errors.KeyringError:
            return None

    def forget(self, account: str) -> None:
        for name in (account, _refresh_entry(account)):
            self._memory.pop(name, None)
            if self.persistent:
                with contextlib.suppress(keyring.errors.KeyringError):
                    keyring.delete_password(self.service, name)


def _refresh_entry(account: str) -> str:
    return f"{account}:refresh"
