"""LoginScreen: the operator logs in with a name and password before the shift.

The token that comes back goes only to the session's TokenVault (the OS keyring, or
memory when there is none): never to a file in clear. The screen shows errors in plain words and
stays usable while the request runs (the request is awaited on the event loop).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from client.errors import (
    LoginRequired,
    NetworkUnavailable,
    RequestTimedOut,
    ServerBusy,
    ServerRefused,
    UpdateRequired,
    UserFacingError,
)
from ui.themes import DAY, Theme, style_sheet

if TYPE_CHECKING:
    from app.session import Session
    from client.api import LoginResult

log = logging.getLogger("sweepline.ui.login")

TOUCH_PX = 64
MESSAGE_FONT_PX = 24


def plain_words(exc: UserFacingError) -> str:
    """What went wrong and what to do next, translated; the technical cause goes to the
    log, not to the operator."""
    if isinstance(exc, RequestTimedOut):
        return QCoreApplication.translate(
            "LoginScreen", "The city server did not answer in time. Try again in a minute."
        )
    if isinstance(exc, NetworkUnavailable):
        return QCoreApplication.translate(
            "LoginScreen",
            "No connection to the city server. Check that the tablet has signal, then try "
            "again; if it keeps failing, call your supervisor.",
        )
    if isinstance(exc, LoginRequired):
        return QCoreApplication.translate(
            "LoginScreen", "Wrong operator name or password. Check them and try again."
        )
    if isinstance(exc, ServerBusy):
        return QCoreApplication.translate(
            "LoginScreen", "The city server is busy. Try again in a minute."
        )
    if isinstance(exc, UpdateRequired):
        return QCoreApplication.translate(
            "LoginScreen", "This tablet needs an update before it can log in. Call IT."
        )
    if isinstance(exc, ServerRefused):
        return QCoreApplication.translate(
            "LoginScreen", "The city server refused the login. Call your supervisor."
        )
    return QCoreApplication.translate(
        "LoginScreen", "Could not log in. Try again; if it keeps failing, call your supervisor."
    )


class LoginScreen(QWidget):
    submitted = Signal(str, str)  # username, password
    cancelled = Signal()

    def __init__(
        self,
        device_id: str,
        username: str = "",
        parent: QWidget | None = None,
        *,
        cancellable: bool = False,
        theme: Theme = DAY,
    ) -> None:
        """`cancellable`: a Cancel button, for logging in again from the operator window
        (the first login of a shift has nothing to go back to)."""
        super().__init__(parent)
        self.setObjectName("LoginScreen")
        self.setWindowTitle(self.tr("Sweepline — log in"))
        title = QLabel(self.tr("Log in to start your shift"), self)
        font = QFont(title.font())
        font.setPixelSize(32)
        font.setBold(True)
        title.setFont(font)
        self.device_label = QLabel(self.tr("Tablet: %1").replace("%1", device_id), self)
        self.device_label.setTextFormat(Qt.TextFormat.PlainText)
        self.username_edit = QLineEdit(username, self)
        self.username_edit.setObjectName("login_username")
        self.username_edit.setPlaceholderText(self.tr("Operator name"))
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("login_password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr("Password"))
        self.login_button = QPushButton(self.tr("Log in"), self)
        self.login_button.setObjectName("login_button")
        self.login_button.setMinimumHeight(TOUCH_PX)
        self.login_button.setDefault(True)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("login_message")
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setWordWrap(True)
        message_font = QFont(self.message_label.font())
        message_font.setPixelSize(MESSAGE_FONT_PX)
        message_font.setBold(True)
        self.message_label.setFont(message_font)
        for edit in (self.username_edit, self.password_edit):
            edit.setMinimumHeight(TOUCH_PX)
            edit.returnPressed.connect(self._submit)
        self.login_button.clicked.connect(self._submit)
        self.cancel_button: QPushButton | None = None
        if cancellable:
            self.cancel_button = QPushButton(self.tr("Cancel"), self)
            self.cancel_button.setObjectName("login_cancel")
            self.cancel_button.setMinimumHeight(TOUCH_PX)
            self.cancel_button.clicked.connect(self.cancelled)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(160, 80, 160, 80)
        layout.setSpacing(16)
        layout.addWidget(title)
        layout.addWidget(self.device_label)
        layout.addWidget(self.username_edit)
        layout.addWidget(self.password_edit)
        layout.addWidget(self.login_button)
        if self.cancel_button is not None:
            layout.addWidget(self.cancel_button)
        layout.addWidget(self.message_label)
        layout.addStretch(1)
        self.setStyleSheet(style_sheet(theme))
        self.message_label.setStyleSheet(f"color: {theme.bad};")

    def showEvent(self, event: QShowEvent) -> None:
        """The cursor where typing starts: the password when the name is filled in."""
        super().showEvent(event)
        edit = self.password_edit if self.username_edit.text() else self.username_edit
        edit.setFocus()

    def _submit(self) -> None:
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        if not username or not password:
            self.show_message(self.tr("Enter your operator name and password."))
            return
        self.set_busy(True)
        self.submitted.emit(username, password)

    def set_busy(self, busy: bool) -> None:
        self.login_button.setEnabled(not busy)
        self.login_button.setText(self.tr("Logging in…") if busy else self.tr("Log in"))

    def show_message(self, text: str) -> None:
        self.message_label.setText(text)

    def clear_password(self) -> None:
        self.password_edit.clear()


async def log_in(screen: LoginScreen, session: Session) -> LoginResult | None:
    """Show `screen` until a login succeeds (None if the operator cancels); `session`
    keeps the tokens."""
    loop = asyncio.get_running_loop()
    while True:
        attempt: asyncio.Future[tuple[str, str] | None] = loop.create_future()

        def on_submitted(
            username: str, password: str, fut: asyncio.Future[tuple[str, str] | None] = attempt
        ) -> None:
            if not fut.done():
                fut.set_result((username, password))

        def on_cancelled(fut: asyncio.Future[tuple[str, str] | None] = attempt) -> None:
            if not fut.done():
                fut.set_result(None)

        screen.submitted.connect(on_submitted)
        screen.cancelled.connect(on_cancelled)
        try:
            answer = await attempt
        finally:
            screen.submitted.disconnect(on_submitted)
            screen.cancelled.disconnect(on_cancelled)
        if answer is None:
            screen.clear_password()
            return None
        username, password = answer
        try:
            result = await session.log_in(username, password)
        except UserFacingError as exc:
            screen.set_busy(False)
            screen.clear_password()
            log.info("login failed: %s", exc)
            screen.show_message(plain_words(exc))
            continue
        screen.clear_password()
        screen.set_busy(False)
        return result
