"""Memory over an 8-hour shift, replayed fast through the real operator window.

A real tablet core (cached assignment, no server, the sync loop not running) and the
real OperatorWindow with its Leaflet page: the simulator drives the route over and over
for 8 hours of GPS time (28,800 fixes at 1 Hz), as fast as the window keeps up (events
processed every 10 fixes, fixes flushed to the database every 5 s of GPS time, as the
tablet does). Resident memory of this process and of every descendant (the QtWebEngine
helper processes) is sampled every simulated half hour. Prints the samples and a trend
(MB per hour, least squares over the second half); the last line is JSON with
`peak_rss_mb`.

    QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 \
    QTWEBENGINE_CHROMIUM_FLAGS=--disable-gpu .venv/bin/python benchmarks/shift_memory.py [hours]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ui.map_view  # noqa: F401  (QtWebEngine before the QApplication)
from ui.scheme import register_url_scheme

register_url_scheme()

import shiboken6  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def tree_rss_mb(root: int) -> tuple[float, int]:
    """Resident memory of `root` and all its descendants (MB), and how many processes."""
    kids = _children()
    todo, total, count = [root], 0, 0
    while todo:
        pid = todo.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
            count += 1
        except OSError:
            pass
        todo.extend(kids.get(pid, []))
    return total / 2**20, count


def slope(points: list[tuple[float, float]]) -> float:
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else 0.0


def main() -> int:
    hours = float(sys.argv[1]) if len(sys.argv) > 1 else 8.0
    app = QApplication(sys.argv[:1])
    from client.simulator import RouteSimulator
    from tests.ui.conftest import waterloo_route
    from tests.ui.operator_rig import close_tablet, make_tablet
    from ui.operator_window import OperatorWindow

    route = waterloo_route(40)
    tablet = make_tablet(Path(tempfile.mkdtemp(prefix="sweepline-memory-")), route)
    window = OperatorWindow(tablet, theme_mode="day")
    window.resize(1280, 800)
    window.show()
    # The window is up when the map is ready and the charts are drawn (they load after
    # the route's first paint).
    while not (window.map_view.is_ready and window.progress_panel.charts_built):
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    tablet.start_shift()
    start = datetime.now(UTC)
    total_s = hours * 3600
    samples: list[tuple[float, float]] = []
    wall0 = time.perf_counter()
    next_sample = 0.0
    last_flush = 0.0
    fixes = 0
    seed = 1
    t = start
    done = False
    while not done:
        sim = RouteSimulator(route, start=t, seed=seed)
        seed += 1
        for fix in sim.fixes():
            elapsed = (fix.t - start).total_seconds()
            if elapsed >= total_s:
                done = True
                break
            tablet.record_fix(fix)
            fixes += 1
            t = fix.t
            if elapsed - last_flush >= 5:
                tablet.flush_fixes()
                last_flush = elapsed
            if fixes % 10 == 0:
                app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
            if elapsed >= next_sample:
                rss, procs = tree_rss_mb(os.getpid())
                samples.append((elapsed / 3600, rss))
                print(f"{elapsed / 3600:4.1f} h  {rss:7.1f} MB in {procs} processes  "
                      f"(wall {time.perf_counter() - wall0:5.0f} s, {fixes} fixes)", flush=True)
                next_sample += 1800
    rss, procs = tree_rss_mb(os.getpid())
    samples.append((hours, rss))
    tablet.end_shift()
    # Torn down in order (page, then its profile, then the window) before the
    # QApplication goes: left to interpreter exit, the profile could go first (exit 139).
    window.close()
    window.map_view.release_page()
    shiboken6.delete(window)
    QCoreApplication.processEvents()
    close_tablet(tablet)
    peak = max(r for _, r in samples)
    second_half = [(h, r) for h, r in samples if h >= hours / 2]
    trend = slope(second_half)
    print(f"{hours:.1f} h  {rss:7.1f} MB in {procs} processes (end)")
    print(f"peak {peak:.1f} MB; trend over the second half {trend:+.2f} MB/hour; "
          f"{fixes} fixes in {time.perf_counter() - wall0:.0f} s")
    print(json.dumps({"peak_rss_mb": round(peak, 1), "trend_mb_per_hour": round(trend, 2),
                      "fixes": fixes, "hours": hours}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
