"""The `sweepline:` URL scheme: bundled map assets served to the web view, nothing else.

The map page and Leaflet are answered from memory and `resources/leaflet/`; any other
path is a 404 and any path that tries to leave the bundle is refused. The request
interceptor is the second fence: whatever the page asks for outside `sweepline:`,
`data:` or `about:` is blocked and remembered so tests (and logs) can prove the map
never reached the network.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from maps.assets import HOST, LEAFLET_PREFIX, PAGE_PATH, SCHEME, mime_type, resolve_leaflet_asset

log = logging.getLogger("sweepline.ui.map")

SCHEME_BYTES = SCHEME.encode("ascii")
ALLOWED_SCHEMES = frozenset({SCHEME, "data", "about"})


def register_url_scheme() -> None:
    """Declare `sweepline:` to QtWebEngine. Must run before the QApplication exists.

    Secure, so the page is a secure context. Not flagged "local": QtWebEngine would then
    treat it like `file:` and, with local file access switched off for the map page,
    refuse the page its own Leaflet. Calling this again is harmless.
    """
    if QWebEngineUrlScheme.schemeByName(SCHEME_BYTES).name() == SCHEME_BYTES:
        return
    scheme = QWebEngineUrlScheme(SCHEME_BYTES)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(QWebEngineUrlScheme.Flag.SecureScheme)
    QWebEngineUrlScheme.registerScheme(scheme)


class AppSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers `sweepline://app/map.html` and `sweepline://app/leaflet/...`."""

    def __init__(self, page_html: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._page = page_html.encode("utf-8")
        self.served: list[str] = []

    def set_page(self, page_html: str) -> None:
        """Replace the page served at `/map.html` (takes effect on the next load)."""
        self._page = page_html.encode("utf-8")

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        url = job.requestUrl()
        if job.requestMethod() != b"GET" or url.host() != HOST:
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        path = url.path(QUrl.ComponentFormattingOption.FullyDecoded)
        if path == PAGE_PATH:
            self._reply(job, "text/html; charset=utf-8", self._page)
            return
        if path.startswith(LEAFLET_PREFIX):
            asset = resolve_leaflet_asset(path[len(LEAFLET_PREFIX) :])
            mime = mime_type(asset) if asset is not None else None
            if asset is not None and mime is not None:
                self._reply(job, mime, asset.read_bytes())
                return
        log.debug("map scheme: no such resource %s", url.toString())
        job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)

    def _reply(self, job: QWebEngineUrlRequestJob, mime: str, body: bytes) -> None:
        # The buffer is parented to the job so it lives exactly as long as the reply.
        buffer = QBuffer(job)
        buffer.setData(QByteArray(body))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.served.append(job.requestUrl().toString())
        job.reply(mime.encode("ascii"), buffer)


class ExternalRequestBlocker(QWebEngineUrlRequestInterceptor):
    """Blocks and records every request whose scheme is not in `ALLOWED_SCHEMES`."""

    request_blocked = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._blocked: list[str] = []

    @property
    def blocked(self) -> list[str]:
        """URLs blocked so far, oldest first (a copy)."""
        return list(self._blocked)

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        if url.scheme() in ALLOWED_SCHEMES:
            return
        info.block(True)
        text = url.toString()
        self._blocked.append(text)
        log.warning("map web view tried to reach %s; blocked", text)
        self.request_blocked.emit(text)
