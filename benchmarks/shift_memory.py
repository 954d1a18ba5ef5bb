"""Memory over an 8-hour shift, replayed fast through the real operator window.

A real tablet core (cached assignment, no server, the sync loop not running) and the
real OperatorWindow with its Leaflet page: the simulator drives the route over and over
for 8 hours of GPS time (28,800 fixes at 1 Hz), as fast as the window keeps up (events
processed every 10 fixes, fixes flushed to the database every 5 s of GPS time, as the
tablet does). The product's Chromium switches (`ui.webengine_flags`) are merged into
`QTWEBENGINE_CHROMIUM_FLAGS` before the QApplication, as the application does; flags
already set there are kept (`--without-product-flags` leaves them out, to compare).
The route comes from `tests.helpers.routes`, which does not import pytest, so the
Python process holds what the tablet's does.

Every simulated half hour it samples the process tree: this Python process (Qt's
browser process: Python, Qt, Chromium's browser side, its network service and its
in-process GPU/compositor thread) and every descendant (the QtWebEngineProcess
zygote(s) and the renderer forked from one). Per sample it prints three totals, in MB:

- RSS: the sum of each process's resident set (`/proc/PID/smaps_rollup`). A page
  shared by several processes (libQt6WebEngineCore and the other libraries every
  helper maps, the memory a zygote shares copy-on-write with the renderer it forked) is
  counted once per process that maps it, so this over-states what the tree takes out
  of the tablet's RAM. Kept because it is what `top` and `ps` add up to.
- PSS: the sum of each process's proportional set size: a page mapped by N processes
  counts 1/N in each, so over the whole tree every page counts once. This is the
  tree's footprint in RAM, and the figure the goal (under 400 MB) is about. A page the
  tree shares with a process outside it (libc, or QtWebEngineCore while another
  QtWebEngine program runs) counts only the tree's share: the sample says so when
  another process maps QtWebEngineCore, as PSS then reads low; run on a quiet machine.
- distinct: the physical pages resident in any process of the tree, each counted
  once (page frame numbers from `/proc/PID/pagemap`). Unlike PSS it does not depend on
  other processes, so it checks the PSS figure on a busy machine; it counts a shared
  library's pages in full even if a process outside the tree also maps them. Needs
  root (the kernel hides frame numbers otherwise); shown as n/a without.

At the start (window up) and at the end it prints each process: RSS, PSS, USS (unique
set: Private_Clean + Private_Dirty, what ending that process alone would free),
shared (Shared_Clean + Shared_Dirty), and its PSS split into anonymous (heaps, V8,
Skia), file-backed (libraries, fonts, resources) and shmem (memory shared with another
process on purpose: rendered tiles, IPC). The trends are least-squares slopes over the
samples of the second half of the shift, in MB per hour.

The last line is one JSON object. `peak_rss_mb` is the issue's figure, the resident
memory of all the processes: the highest sample of the tree's resident pages with each
page counted once (the distinct total; the PSS total where frame numbers are hidden,
named in `peak_rss_measure`). `peak_summed_rss_mb`, `peak_pss_mb` and
`peak_distinct_mb` are the highest sample of each total (distinct is null without
root), `trend_mb_per_hour` (of the PSS total), `trend_rss_mb_per_hour` (of the summed
RSS), `trend_distinct_mb_per_hour`, `pss_read_low` (another process mapped
QtWebEngineCore during a sample), the number of `fixes`, the `hours` of GPS time, the
Chromium flags in effect (`chromium_flags`) and `processes_at_end` (the per-process
figures above, in MB).

`bare_peak_mb` is the same figure (same measure, same functions, same run) for a bare
PySide6 program showing only a QWebEngineView on the same Leaflet page with the same
route and streets at the same size (`benchmarks/bare_map.py`), measured before the
application's window exists once its route is drawn and settled; `ratio_vs_bare` is
`peak_rss_mb` over it (the product's goal: at most 1.15, with no upward trend).

`--quick` replays three minutes of GPS time (unless hours are given): the same path in
seconds, to check that the script still works; its figures say nothing about a shift.

    QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 \
    QTWEBENGINE_CHROMIUM_FLAGS=--disable-gpu .venv/bin/python benchmarks/shift_memory.py \
        [hours] [--without-product-flags] [--quick]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ui.webengine_flags import apply_webengine_flags

if "--without-product-flags" not in sys.argv:
    apply_webengine_flags()  # before the QApplication, as the application does

import ui.map_view  # noqa: F401  (QtWebEngine before the QApplication)
from ui.scheme import register_url_scheme

register_url_scheme()

import shiboken6  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.tree_memory import (  # noqa: E402
    ProcessMemory,
    Sample,
    print_breakdown,
    take_sample,
    tree_memory,
    trend,
)

QUICK_HOURS = 0.05
RESULT_KEYS: tuple[str, ...] = (
    "peak_rss_mb",
    "peak_rss_measure",
    "peak_summed_rss_mb",
    "peak_pss_mb",
    "peak_distinct_mb",
    "trend_mb_per_hour",
    "trend_rss_mb_per_hour",
    "trend_distinct_mb_per_hour",
    "pss_read_low",
    "fixes",
    "hours",
    "chromium_flags",
    "processes_at_end",
    "bare_peak_mb",
    "ratio_vs_bare",
)
SEGMENTS = 40
WINDOW = (1280, 800)
BARE = Path(__file__).resolve().parent / "bare_map.py"
# The bare program is measured once its route is drawn and it has settled, this many
# times a second apart; its peak is compared with the application's.
BARE_SETTLE_S = 3.0
BARE_SAMPLES = 5


def measure_bare() -> list[Sample]:
    """The bare QWebEngineView program's tree, measured as the application's is: started,
    its route drawn, settled, sampled, ended (before the application's window exists, so
    neither shares the other's pages in the figures)."""
    bare = subprocess.Popen(
        [sys.executable, str(BARE), str(SEGMENTS), *map(str, WINDOW)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert bare.stdin is not None
    assert bare.stdout is not None
    try:
        line = bare.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"the bare map program did not start: {line!r}")
        time.sleep(BARE_SETTLE_S)
        samples = []
        for _ in range(BARE_SAMPLES):
            s, procs = take_sample(0.0, bare.pid)
            samples.append(s)
            time.sleep(1.0)
        distinct = "n/a" if s.distinct is None else f"{s.distinct:6.1f} MB"
        print(f"bare QWebEngineView: PSS {s.pss:6.1f} MB  distinct {distinct}", flush=True)
        print_breakdown("bare QWebEngineView on the same page", procs)
        return samples
    finally:
        bare.stdin.close()
        bare.wait(timeout=60)


def main() -> int:
    args = [a for a in sys.argv[1:] if a not in ("--without-product-flags", "--quick")]
    hours = float(args[0]) if args else (QUICK_HOURS if "--quick" in sys.argv else 8.0)
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    bare_samples = measure_bare()
    app = QApplication(sys.argv[:1])
    from client.simulator import RouteSimulator
    from tests.helpers.routes import waterloo_route
    from tests.ui.operator_rig import close_tablet, make_tablet
    from ui.operator_window import OperatorWindow

    route = waterloo_route(SEGMENTS)
    tablet = make_tablet(Path(tempfile.mkdtemp(prefix="sweepline-memory-")), route)
    window = OperatorWindow(tablet, theme_mode="day")
    window.resize(*WINDOW)
    window.show()
    # The window is up when the map is ready and the charts are drawn (they load after
    # the route's first paint).
    while not (window.map_view.is_ready and window.progress_panel.charts_built):
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    print(f"QTWEBENGINE_CHROMIUM_FLAGS={flags}")
    print_breakdown("window up", tree_memory(os.getpid()))
    tablet.start_shift()
    start = datetime.now(UTC)
    total_s = hours * 3600
    samples: list[Sample] = []
    wall0 = time.perf_counter()
    next_sample = 0.0
    last_flush = 0.0
    fixes = 0
    seed = 1
    t = start
    done = False

    def sample(at_hours: float, note: str = "") -> list[ProcessMemory]:
        s, procs = take_sample(at_hours)
        samples.append(s)
        distinct = "n/a" if s.distinct is None else f"{s.distinct:6.1f} MB"
        others = (
            f"  [{s.others} other processes map QtWebEngine: PSS reads low]" if s.others else ""
        )
        print(
            f"{at_hours:4.1f} h  RSS {s.rss:6.1f} MB  PSS {s.pss:6.1f} MB  distinct "
            f"{distinct}  in {len(procs)} processes  (wall {time.perf_counter() - wall0:5.0f} s, "
            f"{fixes} fixes){note}{others}",
            flush=True,
        )
        return procs

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
                sample(elapsed / 3600)
                next_sample += 1800
    end_procs = sample(hours, " (end)")
    print_breakdown("end of shift", end_procs)
    tablet.end_shift()
    # Torn down in order (page, then its profile, then the window) before the
    # QApplication goes: left to interpreter exit, the profile could go first (exit 139).
    window.close()
    window.map_view.release_page()
    shiboken6.delete(window)
    QCoreApplication.processEvents()
    close_tablet(tablet)

    distincts = [s.distinct for s in samples if s.distinct is not None]
    peak_pss = round(max(s.pss for s in samples), 1)
    peak_distinct = round(max(distincts), 1) if distincts else None
    peak = peak_distinct if peak_distinct is not None else peak_pss
    bare_distincts = [s.distinct for s in bare_samples if s.distinct is not None]
    bare_peak = round(
        max(bare_distincts) if peak_distinct is not None else max(s.pss for s in bare_samples),
        1,
    )
    result = {
        "peak_rss_mb": peak,
        "peak_rss_measure": "distinct pages" if peak_distinct is not None else "pss",
        "peak_summed_rss_mb": round(max(s.rss for s in samples), 1),
        "peak_pss_mb": peak_pss,
        "peak_distinct_mb": peak_distinct,
        "trend_mb_per_hour": _round(trend(samples, hours, "pss")),
        "trend_rss_mb_per_hour": _round(trend(samples, hours, "rss")),
        "trend_distinct_mb_per_hour": _round(trend(samples, hours, "distinct")),
        "pss_read_low": any(s.others for s in samples),
        "fixes": fixes,
        "hours": hours,
        "chromium_flags": flags,
        "processes_at_end": [
            {k: round(v, 1) if isinstance(v, float) else v for k, v in asdict(p).items()}
            for p in end_procs
        ],
        "bare_peak_mb": bare_peak,
        "ratio_vs_bare": round(peak / bare_peak, 3),
    }
    print(
        f"peak RSS {result['peak_summed_rss_mb']} MB (summed per process), peak PSS "
        f"{result['peak_pss_mb']} MB (shared pages counted once), peak distinct "
        f"{result['peak_distinct_mb']} MB; trend over the second half "
        f"{result['trend_mb_per_hour']} MB/hour PSS, {result['trend_rss_mb_per_hour']} "
        f"MB/hour RSS, {result['trend_distinct_mb_per_hour']} MB/hour distinct; "
        f"{fixes} fixes in {time.perf_counter() - wall0:.0f} s; a bare QWebEngineView on "
        f"the same page: {bare_peak} MB, ratio {result['ratio_vs_bare']} (goal at most 1.15)"
    )
    if result["pss_read_low"]:
        print(
            "note: other processes mapped QtWebEngine during the run; the PSS total is "
            "low by their share of the shared libraries (run on a quiet machine)"
        )
    print(json.dumps(result))
    return 0


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


if __name__ == "__main__":
    sys.exit(main())
