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

    def save(self, account: str, token: str) -> None:
        self._memory[account] = token
        if not self.persistent:
            return
        try:
            keyring.set_password(self.service, account, token)
        except keyring.errors.KeyringError as exc:
            self.persistent = False
            log.warning("the OS keyring refused the token (%s); keeping it in memory only", exc)

    def load(self, account: str) -> str | None:
        if account in self._memory:
            return self._memory[account]
        if not self.persistent:
            return None
        try:
            return keyring.get_password(self.service, account)
        except keyring.errors.KeyringError:
            return None

    def forget(self, account: str) -> None:
        self._memory.pop(account, None)
        if self.persistent:
            with contextlib.suppress(keyring.errors.KeyringError):
                keyring.delete_password(self.service, account)
