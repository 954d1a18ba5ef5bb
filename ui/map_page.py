"""The web page behind the map: stays on the map page and opens nothing else.

Navigation anywhere but the map page is refused (and remembered), new windows are
refused, and the page's console goes to our log instead of Qt's default `js` category.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QUrl
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineSettings

from maps.assets import HOST, PAGE_PATH, SCHEME

log = logging.getLogger("sweepline.ui.map")

_Level = QWebEnginePage.JavaScriptConsoleMessageLevel


def is_map_page(url: QUrl) -> bool:
    """True for the map page itself (a `#fragment` is allowed, a query is not)."""
    return (
        url.scheme() == SCHEME
        and url.host() == HOST
        and url.path() == PAGE_PATH
        and not url.hasQuery()
        and not url.userInfo()
        and url.port() == -1
    )


class MapPage(QWebEnginePage):
    """A QWebEnginePage locked to `sweepline://app/map.html`."""

    def __init__(self, profile: QWebEngineProfile, parent: QObject | None = None) -> None:
        super().__init__(profile, parent)
        self.blocked_navigations: list[str] = []
        self.console_messages: list[tuple[str, str]] = []
        settings = self.settings()
        attr = QWebEngineSettings.WebAttribute
        for attribute, on in (
            (attr.JavascriptCanOpenWindows, False),
            (attr.JavascriptCanAccessClipboard, False),
            (attr.LocalContentCanAccessRemoteUrls, False),
            (attr.LocalContentCanAccessFileUrls, False),
            (attr.LocalStorageEnabled, False),
            (attr.PluginsEnabled, False),
            (attr.PdfViewerEnabled, False),
            (attr.ErrorPageEnabled, False),
            (attr.NavigateOnDropEnabled, False),
        ):
            settings.setAttribute(attribute, on)

    def acceptNavigationRequest(
        self, url: QUrl | str, nav_type: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        qurl = QUrl(url)
        if is_map_page(qurl):
            return True
        text = qurl.toString()
        self.blocked_navigations.append(text)
        log.warning("map page tried to navigate to %s; refused", text)
        return False

    # Qt documents a null page as "refuse the window"; the stubs only allow a page.
    def createWindow(  # type: ignore[override]
        self, window_type: QWebEnginePage.WebWindowType
    ) -> None:
        log.warning("map page tried to open a new window; refused")
        return None

    def javaScriptConsoleMessage(
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        line: int,
        source: str,
    ) -> None:
        name = {_Level.InfoMessageLevel: "info", _Level.WarningMessageLevel: "warning"}.get(
            level, "error"
        )
        self.console_messages.append((name, message))
        if name == "info":
            log.debug("map page console: %s (%s:%d)", message, source, line)
        else:
            log.warning("map page console %s: %s (%s:%d)", name, message, source, line)
