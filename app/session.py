"""The one owner of the tablet's session: log in, resume after a restart, renew, keep the
tokens, log in again, and lend the session to the supervisor's client.

Tokens live only in the OS keyring (`TokenVault`) and in the API clients that use
them; every renewal is saved through one hook, so a rotated refresh token is never
lost (the old one is spent the moment the server rotates it). The tablet database
remembers only *who* logged in last, so that their window can open at start on the
cached route without the login screen.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from client.errors import LoginRequired
from client.logs import register_secret

if TYPE_CHECKING:
    from client.api import ApiClient, LoginResult
    from client.credentials import TokenVault
    from client.store import Store

log = logging.getLogger("sweepline.session")

# The tablet database's note of who logged in last: their window opens at start, on the
# cached route, with the token the OS keyring kept (none in the database).
LAST_OPERATOR_KEY = "operator"
STAFF_ROLES = frozenset({"supervisor", "admin"})


class Session:
    """Logs `device_id` in through `api`; keeps tokens in `vault`, the last operator in
    `store`."""

    def __init__(self, api: ApiClient, vault: TokenVault, store: Store, device_id: str) -> None:
        self.api = api
        self.vault = vault
        self.store = store
        self.device_id = device_id
        self.username: str | None = None
        self.role: str | None = None

    @property
    def last_operator(self) -> str | None:
        """Who logged in on this tablet last (their window opens at start)."""
        return self.store.get_kv(LAST_OPERATOR_KEY)

    def kept_token(self) -> str | None:
        """The last operator's access token from the keyring, if it kept one."""
        operator = self.last_operator
        return self.vault.load(operator) if operator else None

    async def log_in(self, username: str, password: str) -> LoginResult:
        """Log in with a password; raises `UserFacingError` (wrong password, no network)."""
        register_secret(password)
        result = await self.api.login(username, password, self.device_id)
        register_secret(result.access_token)
        register_secret(result.refresh_token)
        self.vault.save(result.username, result.access_token, result.refresh_token or None)
        self._adopt(result.username, result.role)
        return result

    async def resume(self, has_route: bool, pull: Callable[[], Awaitable[None]]) -> bool:
        """Take up the last operator's session kept in the keyring.

        Offline the cached route is all there is (`has_route`) and the sync loop fetches
        the rest when the network is back; without one, today's assignment is pulled now
        and a refused access token is renewed with the kept refresh token. False (and
        the kept tokens forgotten) when there is nothing to resume, or no cached route
        and the server will not renew the session.
        """
        operator, token = self.last_operator, self.kept_token()
        if not operator or token is None:
            return False
        refresh = self.vault.load_refresh(operator)
        register_secret(token)
        register_secret(refresh)
        self.api.token, self.api.refresh_token = token, refresh
        self._adopt(operator, None)
        log.info("resumed the session of %s", operator)
        if has_route:
            return True
        try:
            await pull()
        except LoginRequired:
            if not await self.api.refresh_session():
                log.warning("the kept session of %s was refused: log in again", operator)
                self.forget()
                return False
            await pull()
        return True

    def forget(self) -> None:
        """End the session on this tablet: the keyring forgets its tokens."""
        if self.username:
            self.vault.forget(self.username)
        self.api.token = self.api.refresh_token = None
        self.api.session_changed = None

    def lend_to(self, other: ApiClient) -> None:
        """Let another client (the supervisor's) use this session; its renewals are kept
        here too, so the next start resumes with the newest refresh token."""
        other.token, other.refresh_token = self.api.token, self.api.refresh_token
        other.session_changed = self._keeper()

    def _adopt(self, username: str, role: str | None) -> None:
        self.username, self.role = username, role
        if role is None or role not in STAFF_ROLES:
            self.store.set_kv(LAST_OPERATOR_KEY, username)
        self.api.session_changed = self._keeper()

    def _keeper(self) -> Callable[[str, str | None], None]:
        username = self.username
        assert username is not None

        def keep(access: str, refresh: str | None) -> None:
            register_secret(access)
            register_secret(refresh)
            self.vault.save(username, access, refresh)

        return keep
