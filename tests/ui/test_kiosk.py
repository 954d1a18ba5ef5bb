"""Kiosk mode: full screen, closing refused, the configured shortcut is the one way out."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from ui.kiosk import KioskGuard


def test_window_is_full_screen_and_only_the_exit_shortcut_closes_it(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.add_widget(window)
    exits: list[bool] = []
    guard = KioskGuard(window, "Ctrl+Alt+Shift+Q", on_exit=lambda: exits.append(window.close()))
    qtbot.wait_exposed(window)
    assert window.isFullScreen()

    assert window.close() is False
    assert window.isVisible()

    window.showNormal()
    qtbot.wait_until(window.isFullScreen)

    assert guard.shortcut is not None
    assert guard.shortcut.key().toString() == "Ctrl+Alt+Shift+Q"
    guard.shortcut.activated.emit()
    assert guard.released
    assert exits == [True]
    assert not window.isVisible()


def test_no_shortcut_means_no_way_out(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.add_widget(window)
    guard = KioskGuard(window, "", on_exit=window.close)
    assert guard.shortcut is None
    assert window.close() is False
    guard.release()
    assert window.close() is True
