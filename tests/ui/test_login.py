"""The login screen against the real reference server: refused logins say why and keep
the screen, a good one leaves both tokens in the keyring only, Cancel (offered when
logging in again from the operator window) gives up without a session."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.session import Session
from client.api import ApiClient
from client.credentials import TokenVault
from client.store import Store
from server.demo_data import DEMO_OPERATOR
from server.embedded import EmbeddedServer
from tests.conftest import MemoryKeyring
from tests.ui.conftest import until
from ui.login import LoginScreen, log_in

Run = Callable[[Coroutine[Any, Any, None]], None]


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    with EmbeddedServer(tmp_path / "server.sqlite", seed_demo=True) as url:
        yield url


def _session(api: ApiClient, tmp_path: Path) -> Session:
    store = Store(tmp_path / "tablet.sqlite", device_id="demo-tablet-1")
    return Session(api, TokenVault(), store, "demo-tablet-1")


def _submit(qtbot: QtBot, screen: LoginScreen, username: str, password: str) -> None:
    screen.username_edit.setText(username)
    screen.password_edit.setText(password)
    qtbot.mouseClick(screen.login_button, Qt.MouseButton.LeftButton)


def test_refused_then_accepted_login_keeps_both_tokens_in_the_keyring(
    qtbot: QtBot,
    run: Run,
    server_url: str,
    isolated_environment: MemoryKeyring,
    tmp_path: Path,
) -> None:
    username, password, _ = DEMO_OPERATOR
    screen = LoginScreen("demo-tablet-1")
    qtbot.add_widget(screen)
    screen.show()
    assert screen.cancel_button is None  # the first login of a shift has no way back

    async def scenario() -> None:
        api = ApiClient(server_url)
        try:
            attempt = asyncio.ensure_future(log_in(screen, _session(api, tmp_path)))
            await asyncio.sleep(0)
            _submit(qtbot, screen, username, "not-the-password")
            await until(lambda: screen.message_label.text())
            assert not attempt.done()
            assert screen.password_edit.text() == ""
            _submit(qtbot, screen, username, password)
            result = await asyncio.wait_for(attempt, 10)
        finally:
            await api.aclose()
        assert result is not None
        assert result.refresh_token
        assert isolated_environment.passwords == {
            ("sweepline", username): result.access_token,
            ("sweepline", f"{username}:refresh"): result.refresh_token,
        }

    run(scenario())


def test_cancel_gives_up_without_a_session(
    qtbot: QtBot,
    run: Run,
    server_url: str,
    isolated_environment: MemoryKeyring,
    tmp_path: Path,
) -> None:
    screen = LoginScreen("demo-tablet-1", DEMO_OPERATOR[0], cancellable=True)
    qtbot.add_widget(screen)
    screen.show()
    assert screen.cancel_button is not None
    assert screen.cancel_button.height() >= 64

    async def scenario() -> None:
        api = ApiClient(server_url)
        try:
            attempt = asyncio.ensure_future(log_in(screen, _session(api, tmp_path)))
            await asyncio.sleep(0)
            screen.password_edit.setText("typed, then cancelled")
            assert screen.cancel_button is not None
            qtbot.mouseClick(screen.cancel_button, Qt.MouseButton.LeftButton)
            assert await asyncio.wait_for(attempt, 10) is None
        finally:
            await api.aclose()
        assert api.token is None
        assert screen.password_edit.text() == ""
        assert isolated_environment.passwords == {}

    run(scenario())
