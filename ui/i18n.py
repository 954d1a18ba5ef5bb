"""Languages of the screens: English and French (Canada) through Qt's translation system.

The source strings are English; `resources/translations/sweepline_fr_CA.qm` (the tablet's
screens) and `supervisor_fr_CA.qm` (the supervisor's console), each compiled from the `.ts`
next to it with pyside6-lrelease, carry the French. The language comes
from the config's `locale` when set, else the system's; anything other than French falls
back to English.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

log = logging.getLogger("sweepline.ui.i18n")

TRANSLATIONS = Path(__file__).resolve().parent.parent / "resources" / "translations"
SUPPORTED = ("en_CA", "fr_CA")
CATALOGUES = ("sweepline_fr_CA.qm", "supervisor_fr_CA.qm")

_installed: list[QTranslator] = []


def choose_locale(configured: str | None) -> str:
    """`configured` when it is one we ship, else the system's language, else English."""
    if configured in SUPPORTED:
        return configured
    system = QLocale.system().name()
    return "fr_CA" if system.startswith("fr") else "en_CA"


def install_language(locale: str) -> str:
    """Load `locale`'s translations into the application (replacing earlier ones).

    Returns the locale actually in force ("en_CA" when the French file is missing).
    """
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_language needs a QApplication")
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    if not locale.startswith("fr"):
        QLocale.setDefault(QLocale("en_CA"))
        return "en_CA"
    translators = []
    for catalogue in CATALOGUES:
        translator = QTranslator(app)
        if not translator.load(str(TRANSLATIONS / catalogue)):
            log.error(
                "French translations %s missing from %s; showing English", catalogue, TRANSLATIONS
            )
            return "en_CA"
        translators.append(translator)
    for translator in translators:
        app.installTranslator(translator)
        _installed.append(translator)
    QLocale.setDefault(QLocale("fr_CA"))
    return "fr_CA"
