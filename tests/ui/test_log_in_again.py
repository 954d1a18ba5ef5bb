"""The server stops accepting the tablet's session mid-shift: the queue is kept, the
operator taps "Log in again" (stopped), logs in on the screen that opens, and the kept
facts upload. Real server, real tablet core, the real window with its map, and the
application's own re-login (`ui.operator_run.LogInAgain`) on the one session owner."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.session import LAST_OPERATOR_KEY, Session
from client.credentials import TokenVault
from server.embedded import EmbeddedServer
from tests.conftest import MemoryKeyring
from tests.e2e.live_tablet import DEMO_DEVICE, DEMO_PASSWORD, DEMO_USER, logged_in_tablet
from tests.ui.conftest import until
from ui.login import LoginScreen
from ui.operator_run import LogInAgain
from ui.operator_window import OperatorWindow

Run = Callable[[Coroutine[Any, Any, None]], None]


def test_log_in_again_from_the_window_uploads_the_kept_queue(
    qtbot: QtBot, run: Run, tmp_path: Path, isolated_environment: MemoryKeyring
) -> None:
    async def scenario(url: str) -> None:
        tablet = await logged_in_tablet(url, tmp_path)
        tablet.api.token, tablet.api.refresh_token = "revoked-token", None  # session gone
        window = OperatorWindow(tablet)
        vault = TokenVault()
        relogin = LogInAgain(window, tablet, Session(tablet.api, vault, tablet.store, DEMO_DEVICE))
        window.login_requested.connect(relogin.start)
        window.resize(1280, 800)
        window.show()
        try:
            tablet.start()
            await until(lambda: not window.login_button.isHidden())
            tablet.record_exception("parked_cars", "right")
            await asyncio.sleep(0.5)
            assert sum(tablet.outbox.pending_counts().values()) >= 1  # kept, not sent

            qtbot.mouseClick(window.login_button, Qt.MouseButton.LeftButton)
            await until(lambda: _login_screen() is not None)
            screen = _login_screen()
            assert screen is not None
            assert screen.username_edit.text() == ""  # nobody remembered in this database
            screen.username_edit.setText(DEMO_USER)
            screen.password_edit.setText(DEMO_PASSWORD)
            qtbot.mouseClick(screen.login_button, Qt.MouseButton.LeftButton)

            await until(lambda: sum(tablet.outbox.pending_counts().values()) == 0, 20.0)
            assert window.login_button.isHidden()
            assert tablet.store.get_kv(LAST_OPERATOR_KEY) == DEMO_USER
            assert vault.load(DEMO_USER) == tablet.api.token
            assert vault.load_refresh(DEMO_USER) == tablet.api.refresh_token
        finally:
            window.close()
            window.map_view.release_page()
            window.deleteLater()
            await tablet.aclose()
            tablet.store.close()

    with EmbeddedServer(tmp_path / "server.sqlite", seed_demo=True) as url:
        run(scenario(url))


def _login_screen() -> LoginScreen | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, LoginScreen) and widget.isVisible():
            return widget
    return None
