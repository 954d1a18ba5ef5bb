"""Start-up time: process start → the operator window showing the cached route, offline,
side by side with a bare PySide6 program that only opens a QWebEngineView on the same
Leaflet page.

Both are fresh Python processes started the same way; each prints READY when its page
says so (the app: the route is drawn in the page, `stats.routeLoads ≥ 1` with all its
segments; the bare one: `window.sweeplineReady` after loadFinished), and the time is
taken by this script from spawning the process to reading READY. The app's tablet
database holds a cached assignment and its server address is a closed loopback port (no
network). Runs each `--runs` times (default 5), alternating, and compares medians. The
last line is JSON with `app_s`, `bare_s` and `ratio`.

    QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 \
    QTWEBENGINE_CHROMIUM_FLAGS=--disable-gpu .venv/bin/python benchmarks/startup.py
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

APP = r"""
import sys
sys.path.insert(0, {repo!r})
import ui.map_view
from ui.scheme import register_url_scheme
register_url_scheme()
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from client.api import ApiClient
from client.store import Store
from client.tablet import Tablet
from ui.operator_window import OperatorWindow
store = Store({db!r}, device_id="tab-3")
tablet = Tablet(store, ApiClient("http://127.0.0.1:9"), gps_source_name="test")
window = OperatorWindow(tablet)
window.resize(1280, 800)
window.show()
want = len(tablet.assignment.route.segments)
def poll():
    if window.map_view.is_ready:
        window.map_view.evaluate_js(
            "window.sweepline.stats.routeLoads >= 1 && window.sweepline.stats.segments", done)
    else:
        QTimer.singleShot(10, poll)
def done(n):
    if n == want:
        print("READY", flush=True)
        app.quit()
    else:
        QTimer.singleShot(10, poll)
poll()
app.exec()
"""

BARE = r"""
import sys
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
view = QWebEngineView()
view.resize(1280, 800)
view.show()
def check(ok):
    view.page().runJavaScript("window.sweeplineReady === true", 0, ready)
def ready(value):
    if value is True:
        print("READY", flush=True)
        app.quit()
    else:
        QTimer.singleShot(10, lambda: check(True))
view.loadFinished.connect(check)
view.load(QUrl.fromLocalFile({page!r}))
app.exec()
"""


def prepare(work: Path) -> tuple[Path, Path]:
    """The app's cached database, and the bare program's copy of the same Leaflet page."""
    sys.path.insert(0, str(REPO))
    from client.assignments import AssignmentCache
    from client.store import Store
    from maps.page import build_map_page
    from tests.ui.conftest import waterloo_route
    from tests.ui.operator_rig import assignment_value

    db = work / "tablet.sqlite"
    store = Store(db, device_id="tab-3")
    route = waterloo_route(40)
    AssignmentCache(store).apply_pull(
        {"cursor": "c", "reset": True},
        [{"op": "put", "entity": "assignment", "id": "asg-test-1", "version": 1,
          "value": assignment_value(route)}],
    )
    store.close()
    # The same page, with Leaflet from files instead of the app's URL scheme and no
    # tile layer (a bare program has no scheme handler to serve tiles).
    html = build_map_page(tiles=None)
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    leaflet = work / "leaflet"
    shutil.copytree(REPO / "resources" / "leaflet", leaflet)
    html = html.replace("sweepline://app/leaflet/", leaflet.as_uri() + "/")
    # Qt's qwebchannel.js too, so both programs load the same scripts (the bare one has
    # no channel object, and its page is ready as soon as its scripts have run).
    from ui.scheme import webchannel_script

    channel_js = work / "qwebchannel.js"
    channel_js.write_bytes(webchannel_script())
    html = html.replace("sweepline://app/qwebchannel.js", channel_js.as_uri())
    page = work / "map.html"
    page.write_text(html, encoding="utf-8")
    return db, page


def run(source: str) -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", source], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "READY":
            elapsed = time.perf_counter() - t0
            proc.wait(timeout=30)
            return elapsed
    proc.wait(timeout=30)
    raise RuntimeError(f"program ended without READY (exit {proc.returncode})")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sweepline-startup-"))
    db, page = prepare(work)
    app_src = APP.format(repo=str(REPO), db=str(db))
    bare_src = BARE.format(page=str(page))
    app_times, bare_times = [], []
    for i in range(args.runs):
        bare_times.append(run(bare_src))
        app_times.append(run(app_src))
        print(f"run {i + 1}: bare {bare_times[-1]:.2f} s, app {app_times[-1]:.2f} s", flush=True)
    app_s, bare_s = statistics.median(app_times), statistics.median(bare_times)
    print(f"median: bare QWebEngineView {bare_s:.2f} s, Sweepline with the cached route "
          f"{app_s:.2f} s, ratio {app_s / bare_s:.2f}")
    print(json.dumps({"app_s": round(app_s, 3), "bare_s": round(bare_s, 3),
                      "ratio": round(app_s / bare_s, 2), "runs": args.runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
