"""The login screen speaks plainly, in the operator's language, in the window's theme,
with the cursor where typing starts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from client.errors import LoginRequired, NetworkUnavailable, RequestTimedOut
from ui.login import LoginScreen, plain_words
from ui.themes import NIGHT


@pytest.fixture
def french() -> Iterator[None]:
    from ui.i18n import install_language

    assert install_language("fr_CA") == "fr_CA"
    yield
    install_language("en_CA")


def test_the_password_has_the_focus_when_the_name_is_known(qtbot: QtBot) -> None:
    known = LoginScreen("tab-3", "op-7")
    qtbot.addWidget(known)
    known.show()
    qtbot.wait_until(lambda: known.password_edit.hasFocus())
    unknown = LoginScreen("tab-3", "")
    qtbot.addWidget(unknown)
    unknown.show()
    qtbot.wait_until(lambda: unknown.username_edit.hasFocus())


def test_errors_say_what_to_do_without_the_technical_cause() -> None:
    cut = plain_words(NetworkUnavailable("cannot reach the server: All connection attempts failed"))
    assert "All connection attempts" not in cut
    assert "signal" in cut
    assert "try again" in cut.lower()
    wrong = plain_words(LoginRequired("the server asked to log in again: wrong username"))
    assert wrong.startswith("Wrong operator name or password")
    assert "minute" in plain_words(RequestTimedOut("timed out"))


def test_errors_are_in_french_under_a_french_screen(french: None) -> None:
    text = plain_words(NetworkUnavailable("cannot reach the server: x"))
    assert text.startswith("Pas de connexion au serveur")
    assert plain_words(LoginRequired("x")).startswith("Nom d'opérateur ou mot de passe")


def test_the_night_theme_reaches_the_login_screen(qtbot: QtBot) -> None:
    screen = LoginScreen("tab-3", "op-7", theme=NIGHT)
    qtbot.addWidget(screen)
    assert NIGHT.window in screen.styleSheet()
    assert screen.message_label.font().pixelSize() >= 24
