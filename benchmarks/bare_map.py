"""A bare PySide6 program: one QWebEngineView on the same Leaflet page as the operator
window's map (helper of `benchmarks/shift_memory.py`, not a benchmark of its own).

The same page HTML, served the same way (the application's URL scheme, the bundled
basemap tiles), showing the same route and its street context at the same size; no
panels, no tablet core, no database, no charts. It prints "ready" once the route is
drawn, then waits until its standard input closes, so the benchmark can measure its
process tree as it measures the application's.

    python benchmarks/bare_map.py SEGMENTS WIDTH HEIGHT
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import shiboken6
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView

from ui.scheme import register_url_scheme

register_url_scheme()

from PySide6.QtCore import QTimer, QUrl  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from maps.assets import BASEMAP_MBTILES, PAGE_URL  # noqa: E402
from maps.mbtiles import TileStack  # noqa: E402
from maps.page import TileLayerConfig, map_page  # noqa: E402
from maps.payloads import route_payload  # noqa: E402
from maps.streets import demo_street_features, streets_around  # noqa: E402
from tests.helpers.routes import waterloo_route  # noqa: E402
from ui.scheme import SCHEME_BYTES, AppSchemeHandler  # noqa: E402

POLL_MS = 100


def main() -> int:
    segments, width, height = (int(a) for a in sys.argv[1:4])
    app = QApplication(sys.argv[:1])
    route = waterloo_route(segments)
    profile = QWebEngineProfile()
    tiles = TileStack.open(basemap=BASEMAP_MBTILES)
    handler = AppSchemeHandler(map_page(tiles=TileLayerConfig()), profile, tiles)
    profile.installUrlSchemeHandler(SCHEME_BYTES, handler)
    view = QWebEngineView()
    page = QWebEnginePage(profile, view)
    view.setPage(page)
    view.resize(width, height)
    view.show()
    calls = json.dumps(
        [
            route_payload(route),
            streets_around((s.coords for s in route.segments), demo_street_features()),
        ]
    )
    script = (
        f"(function (a) {{ window.sweepline.loadRoute(a[0], {{}});"
        f" window.sweepline.setStreets(a[1]); return window.sweepline.stats.segments; }})({calls})"
    )

    def drawn(result: object) -> None:
        if isinstance(result, int | float) and result > 0:
            print("ready", flush=True)
        else:
            QTimer.singleShot(POLL_MS, lambda: page.runJavaScript(script, 0, drawn))

    page.loadFinished.connect(lambda ok: page.runJavaScript(script, 0, drawn))
    page.load(QUrl(PAGE_URL))
    # Standard input closing (the benchmark is done measuring) ends the program.
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    watch = QTimer(app)
    watch.timeout.connect(lambda: app.quit() if done.is_set() else None)
    watch.start(POLL_MS)
    code = app.exec()
    # The page goes before its profile (QtWebEngine's order).
    shiboken6.delete(page)
    shiboken6.delete(view)
    shiboken6.delete(handler)
    shiboken6.delete(profile)
    return code


if __name__ == "__main__":
    sys.exit(main())
