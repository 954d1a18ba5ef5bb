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

`--quick` replays three minutes of GPS time (unless hours are given): the same path in
seconds, to check that the script still works; its figures say nothing about a shift.

    QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 \
    QTWEBENGINE_CHROMIUM_FLAGS=--disable-gpu .venv/bin/python benchmarks/shift_memory.py \
        [hours] [--without-product-flags] [--quick]
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
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

PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1024.0  # smaps_rollup counts kB
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
)


@dataclass
class ProcessMemory:
    """One process of the tree, in MB (from /proc/PID/smaps_rollup)."""

    pid: int
    role: str
    rss: float
    pss: float
    uss: float
    shared: float
    pss_anon: float
    pss_file: float
    pss_shmem: float


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


def _tree(root: int) -> list[tuple[int, int | None]]:
    """`root` and its descendants, each with its parent (None for the root)."""
    kids = _children()
    out: list[tuple[int, int | None]] = []
    todo: list[tuple[int, int | None]] = [(root, None)]
    while todo:
        pid, parent = todo.pop()
        out.append((pid, parent))
        todo.extend((kid, pid) for kid in sorted(kids.get(pid, []), reverse=True))
    return out


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _thread_names(pid: int) -> set[str]:
    names: set[str] = set()
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                names.add(Path(f"/proc/{pid}/task/{task}/comm").read_text().strip())
    return names


def _role(pid: int, parent: int | None, roles: dict[int, str]) -> str:
    """What a process of the tree is. Processes forked by a zygote keep the zygote's
    command line (QtWebEngine does not retitle them), so a renderer is told apart by its
    compositor thread."""
    if parent is None:
        return "browser (python)"
    args = _cmdline(pid)
    kind = next((a.split("=", 1)[1] for a in args if a.startswith("--type=")), "")
    if roles.get(parent, "").startswith("zygote"):
        return "renderer" if "Compositor" in _thread_names(pid) else "zygote child"
    if kind == "zygote":
        return "zygote (unsandboxed)" if "--no-zygote-sandbox" in args else "zygote"
    if kind == "utility":
        sub = next((a.split("=", 1)[1] for a in args if a.startswith("--utility-sub-type=")), "")
        return f"utility {sub.rsplit('.', 1)[-1]}".strip()
    return kind or (Path(args[0]).name if args else "?")


def _rollup(pid: int) -> dict[str, int]:
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            fields[key] = int(parts[0])
    return fields


def _resident_vmas(pid: int) -> list[tuple[int, int]]:
    """Address ranges of `pid` with at least one resident page (from /proc/PID/smaps)."""
    out: list[tuple[int, int]] = []
    start = end = 0
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split(None, 1)[0] if line else ""
        if "-" in head and not head.endswith(":"):
            lo, hi = head.split("-")
            start, end = int(lo, 16), int(hi, 16)
        elif head == "Rss:" and int(line.split()[1]) > 0:
            out.append((start, end))
    return out


def distinct_resident_mb(pids: list[int]) -> float | None:
    """Physical pages resident in any of `pids`, each counted once (MB), from the page
    frame numbers in /proc/PID/pagemap; None when the kernel hides them (not root)."""
    frames: set[int] = set()
    seen_frame = False
    for pid in pids:
        try:
            with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
                for start, end in _resident_vmas(pid):
                    pagemap.seek(start // PAGE * 8)
                    data = pagemap.read((end - start) // PAGE * 8)
                    for (entry,) in struct.iter_unpack("<Q", data):
                        if entry >> 63:  # present in RAM
                            frame = entry & ((1 << 55) - 1)
                            seen_frame = seen_frame or frame != 0
                            frames.add(frame)
        except OSError:  # gone since the listing
            continue
    return len(frames) * PAGE / 2**20 if seen_frame else None


def others_mapping_webengine(tree: set[int]) -> int:
    """How many processes outside `tree` map QtWebEngineCore: their share of the library's
    pages is missing from the tree's PSS, which then reads low."""
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in tree:
            continue
        with contextlib.suppress(OSError):
            if "libQt6WebEngineCore" in Path(f"/proc/{entry}/maps").read_text():
                count += 1
    return count


def tree_memory(root: int) -> list[ProcessMemory]:
    """Memory of `root` and every descendant that still exists."""
    roles: dict[int, str] = {}
    out: list[ProcessMemory] = []
    for pid, parent in _tree(root):
        try:
            f = _rollup(pid)
        except OSError:  # gone since the listing
            continue
        role = roles[pid] = _role(pid, parent, roles)
        out.append(
            ProcessMemory(
                pid=pid,
                role=role,
                rss=f.get("Rss", 0) / MB,
                pss=f.get("Pss", 0) / MB,
                uss=(f.get("Private_Clean", 0) + f.get("Private_Dirty", 0)) / MB,
                shared=(f.get("Shared_Clean", 0) + f.get("Shared_Dirty", 0)) / MB,
                pss_anon=f.get("Pss_Anon", 0) / MB,
                pss_file=f.get("Pss_File", 0) / MB,
                pss_shmem=f.get("Pss_Shmem", 0) / MB,
            )
        )
    return out


def print_breakdown(title: str, procs: list[ProcessMemory]) -> None:
    print(f"{title}:")
    print(
        f"  {'pid':>7}  {'process':<22}{'RSS':>8}{'PSS':>8}{'USS':>8}{'shared':>8}"
        f"{'anon':>8}{'file':>8}{'shmem':>8}   (MB; anon/file/shmem split the PSS)"
    )
    for p in procs:
        print(
            f"  {p.pid:>7}  {p.role:<22}{p.rss:8.1f}{p.pss:8.1f}{p.uss:8.1f}{p.shared:8.1f}"
            f"{p.pss_anon:8.1f}{p.pss_file:8.1f}{p.pss_shmem:8.1f}"
        )
    print(
        f"  {'':>7}  {'total':<22}{sum(p.rss for p in procs):8.1f}"
        f"{sum(p.pss for p in procs):8.1f}{sum(p.uss for p in procs):8.1f}",
        flush=True,
    )


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y over x."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else 0.0


@dataclass
class Sample:
    """The tree's totals at one moment of the shift (MB)."""

    hours: float
    rss: float
    pss: float
    distinct: float | None
    others: int


def take_sample(at_hours: float) -> tuple[Sample, list[ProcessMemory]]:
    procs = tree_memory(os.getpid())
    pids = [p.pid for p in procs]
    return Sample(
        hours=at_hours,
        rss=sum(p.rss for p in procs),
        pss=sum(p.pss for p in procs),
        distinct=distinct_resident_mb(pids),
        others=others_mapping_webengine(set(pids)),
    ), procs


def trend(samples: list[Sample], hours: float, value: str) -> float | None:
    """MB per hour of `value` over the second half of the shift."""
    points = [(s.hours, getattr(s, value)) for s in samples if s.hours >= hours / 2]
    if any(y is None for _, y in points):
        return None
    return slope(points)


def main() -> int:
    args = [a for a in sys.argv[1:] if a not in ("--without-product-flags", "--quick")]
    hours = float(args[0]) if args else (QUICK_HOURS if "--quick" in sys.argv else 8.0)
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    app = QApplication(sys.argv[:1])
    from client.simulator import RouteSimulator
    from tests.helpers.routes import waterloo_route
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
    result = {
        "peak_rss_mb": peak_distinct if peak_distinct is not None else peak_pss,
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
    }
    print(
        f"peak RSS {result['peak_summed_rss_mb']} MB (summed per process), peak PSS "
        f"{result['peak_pss_mb']} MB (shared pages counted once), peak distinct "
        f"{result['peak_distinct_mb']} MB; trend over the second half "
        f"{result['trend_mb_per_hour']} MB/hour PSS, {result['trend_rss_mb_per_hour']} "
        f"MB/hour RSS, {result['trend_distinct_mb_per_hour']} MB/hour distinct; "
        f"{fixes} fixes in {time.perf_counter() - wall0:.0f} s"
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
