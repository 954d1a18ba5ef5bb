"""The `sweepline:` URL scheme: bundled map assets served to the web view, nothing else.

The map page and Leaflet are answered from memory and `resources/leaflet/`, map tiles
from the tablet's MBTiles cache and the bundled basemap; any other
path is a 404 and any path that tries to leave the bundle is refused. The request
interceptor is the second fence: whatever the page asks for outside `sweepline:`,
`data:` or `about:` is blocked and remembered so tests (and logs) can prove the map
never reached the network.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QBuffer, QByteArray, QFile, QIODevice, QObject, QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from maps.assets import (
    HOST,
    LEAFLET_PREFIX,
    PAGE_PATH,
    SCHEME,
    TILES_PREFIX,
    WEBCHANNEL_PATH,
    mime_type,
    parse_tile_path,
    resolve_leaflet_asset,
)
from maps.mbtiles import TileStack, image_mime

log = logging.getLogger("sweepline.ui.map")

SCHEME_BYTES = SCHEME.encode("ascii")
ALLOWED_SCHEMES = frozenset({SCHEME, "data", "about"})
# Qt's own QWebChannel client, compiled into the QtWebChannel library's resources.
WEBCHANNEL_RESOURCE = ":/qtwebchannel/qwebchannel.js"
_webchannel_js: bytes | None = None


def webchannel_script() -> bytes:
    """The contents of Qt's `qwebchannel.js` (read once)."""
    global _webchannel_js
    if _webchannel_js is None:
        import PySide6.QtWebChannel  # noqa: F401  (registers the resource)

        file = QFile(WEBCHANNEL_RESOURCE)
        if not file.open(QIODevice.OpenModeFlag.ReadOnly):
            raise RuntimeError(f"Qt resource {WEBCHANNEL_RESOURCE} is missing")
        _webchannel_js = bytes(file.readAll().data())
        file.close()
    return _webchannel_js


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
    """Answers `sweepline://app/map.html`, `/qwebchannel.js`, `/leaflet/...` and
    `/tiles/{z}/{x}/{y}.png`.

    Tiles come from a TileStack (tablet cache, then bundled basemap). A tile that is
    absent is a 404 (the page shows the street layer there); a stored tile that is not
    an image is refused and reported once through `tile_problem`, as is a tile file
    that cannot be read.
    """

    tile_problem = Signal(str)

    def __init__(
        self, page_html: str, parent: QObject | None = None, tiles: TileStack | None = None
    ) -> None:
        super().__init__(parent)
        self._page = page_html.encode("utf-8")
        self._tiles = tiles or TileStack()
        self.served: list[str] = []
        self.tiles_served = 0
        self.tiles_missing = 0
        self._problems_told: set[str] = set()

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
        if path == WEBCHANNEL_PATH:
            self._reply(job, "text/javascript", webchannel_script())
            return
        if path.startswith(TILES_PREFIX):
            self._reply_tile(job, path[len(TILES_PREFIX) :])
            return
        if path.startswith(LEAFLET_PREFIX):
            asset = resolve_leaflet_asset(path[len(LEAFLET_PREFIX) :])
            mime = mime_type(asset) if asset is not None else None
            if asset is not None and mime is not None:
                self._reply(job, mime, asset.read_bytes())
                return
        log.debug("map scheme: no such resource %s", url.toString())
        job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)

    def set_tiles(self, tiles: TileStack) -> None:
        """Serve tiles from `tiles` from now on (e.g. after a prefetch filled the cache)."""
        self._tiles = tiles
        self.report_problems()

    @property
    def tile_problems(self) -> list[str]:
        return list(self._tiles.problems)

    def _reply_tile(self, job: QWebEngineUrlRequestJob, relative: str) -> None:
        tile = parse_tile_path(relative)
        data = self._tiles.get_tile(*tile) if tile is not None else None
        self.report_problems()
        if data is None:
            self.tiles_missing += 1
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        mime = image_mime(data)
        if mime is None:
            self._tell(f"map tile {relative} on the tablet is not an image; it is not shown")
            job.fail(QWebEngineUrlRequestJob.Error.UrlInvalid)
            return
        self.tiles_served += 1
        self._reply(job, mime, data, record=False)

    def report_problems(self) -> None:
        """Emit `tile_problem` for each problem of the tile sources not yet told."""
        for problem in self._tiles.problems:
            self._tell(problem)

    def _tell(self, problem: str) -> None:
        if problem in self._problems_told:
            return
        self._problems_told.add(problem)
        log.error("map tiles: %s", problem)
        self.tile_problem.emit(problem)

    def _reply(
        self, job: QWebEngineUrlRequestJob, mime: str, body: bytes, *, record: bool = True
    ) -> None:
        # The buffer is parented to the job so it lives exactly as long as the reply.
        buffer = QBuffer(job)
        buffer.setData(QByteArray(body))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        if record:
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
