"""Live latency: a GPS fix in → vehicle marker moved and segment recoloured, confirmed
from the page side.

The real OperatorWindow on a real tablet core (cached assignment, no server) with the
real Leaflet page, measured once the window is up (map ready, charts drawn). For each
fix along a street: t0, `tablet.record_fix(fix)` (coverage, facts, the bridge, the
window, the QWebChannel message), then a page-side query, repeated until it agrees,
returning the marker position and the segment's state; the time is taken when an answer
shows the marker at the fix and, for the fix that completes the segment, the new colour.
Prints median and worst (the first fix included); the last line is JSON with
`median_ms`, `worst_ms`, `worst_after_warmup_ms` (the worst after the first ten fixes,
which pay for the first paint and chart draw), the number of `fixes` and of
`recolours` (fixes that changed their segment's state).

`--quick` drives a route of two streets instead of twelve: the same path in seconds,
to check that the script still works.

    QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 \
    QTWEBENGINE_CHROMIUM_FLAGS=--disable-gpu .venv/bin/python benchmarks/live_latency.py \
        [--streets 12] [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ui.map_view  # noqa: F401  (QtWebEngine before the QApplication)
from ui.scheme import register_url_scheme

register_url_scheme()

import shiboken6  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

WARM_UP = 10
CONFIRM_TIMEOUT_MS = 5000
RESULT_KEYS: tuple[str, ...] = (
    "median_ms",
    "worst_ms",
    "worst_after_warmup_ms",
    "fixes",
    "recolours",
)
QUICK: dict[str, Any] = {"streets": 2}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streets", type=int, default=12, help="streets in the route")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the script")
    args = parser.parse_args()
    if args.quick:  # quick sizes as the defaults: options given still win
        parser.set_defaults(**QUICK)
        args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    from tests.helpers.routes import waterloo_route
    from tests.ui.operator_rig import close_tablet, drive_along, make_tablet
    from ui.operator_window import OperatorWindow

    route = waterloo_route(args.streets)
    tablet = make_tablet(Path(tempfile.mkdtemp(prefix="sweepline-latency-")), route)
    window = OperatorWindow(tablet, theme_mode="day")
    window.resize(1280, 800)
    window.show()
    # The window is up when the map is ready and the charts are drawn (they load after
    # the route's first paint).
    while not (window.map_view.is_ready and window.progress_panel.charts_built):
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    tablet.start_shift()
    samples: list[float] = []
    recolour_samples: list[float] = []
    t = datetime.now(UTC)
    for segment in route.segments:
        fixes = [
            *drive_along(segment, t),
            *drive_along(segment, t + timedelta(minutes=3), backwards=True),
        ]
        t += timedelta(minutes=10)
        for fix in fixes:
            was = tablet.statuses()[segment.id].state
            answer: list[object] = []
            t0 = time.perf_counter()
            tablet.record_fix(fix)
            now = tablet.statuses()[segment.id].state
            expected = window._views([segment.id])[segment.id]["state"]
            query = (
                "JSON.stringify({v: window.sweepline.stats.lastVehicle, "
                f"s: window.sweepline.describeSegment({json.dumps(segment.id)}).state}})"
            )
            # Updates travel over the QWebChannel and the query over runJavaScript: ask
            # again until the page shows this fix (and colour), and time that answer.
            while True:
                answer.clear()
                window.map_view.evaluate_js(query, answer.append)
                while not answer:
                    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
                elapsed = (time.perf_counter() - t0) * 1000
                data = json.loads(str(answer[0]))
                vehicle = data["v"] or {"lat": None, "lon": None}
                moved = (
                    vehicle["lat"] is not None
                    and abs(vehicle["lat"] - fix.lat) < 1e-9
                    and abs(vehicle["lon"] - fix.lon) < 1e-9
                )
                if moved and data["s"] == expected:
                    break
                if elapsed > CONFIRM_TIMEOUT_MS:
                    print(f"page did not confirm: {data} vs {expected}", file=sys.stderr)
                    return 1
            samples.append(elapsed)
            if now != was:
                recolour_samples.append(elapsed)
    # Torn down in order (page, then its profile, then the window) before the
    # QApplication goes: left to interpreter exit, the profile could go first (exit 139).
    window.close()
    window.map_view.release_page()
    shiboken6.delete(window)
    QCoreApplication.processEvents()
    close_tablet(tablet)
    median = statistics.median(samples)
    worst = max(samples)
    print(f"fixes: {len(samples)}, of which recolouring a segment: {len(recolour_samples)}")
    print(
        f"median {median:.1f} ms, p95 {statistics.quantiles(samples, n=20)[18]:.1f} ms, "
        f"worst {worst:.1f} ms"
    )
    if recolour_samples:
        print(
            f"recolouring fixes: median {statistics.median(recolour_samples):.1f} ms, "
            f"worst {max(recolour_samples):.1f} ms"
        )
    warm = samples[WARM_UP:]
    print(
        f"after the first {WARM_UP} fixes (first paint, first chart draw): worst {max(warm):.1f} ms"
    )
    print(
        json.dumps(
            {
                "median_ms": round(median, 2),
                "worst_ms": round(worst, 2),
                "worst_after_warmup_ms": round(max(warm), 2),
                "fixes": len(samples),
                "recolours": len(recolour_samples),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
