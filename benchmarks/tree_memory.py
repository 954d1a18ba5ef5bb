"""Memory of a process tree, as the memory benchmarks measure it (helper, not run alone).

For a root process and every descendant (Qt's browser process and QtWebEngine's zygotes
and renderers): each process's RSS, PSS, USS and PSS split (from /proc/PID/smaps_rollup),
and the tree's distinct resident pages, each physical page counted once (frame numbers
from /proc/PID/pagemap; needs root). `benchmarks/shift_memory.py` explains the figures;
it measures the application's tree and a bare QWebEngineView's with these same functions.
"""

from __future__ import annotations

import contextlib
import os
import struct
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1024.0  # smaps_rollup counts kB


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


def take_sample(at_hours: float, root: int | None = None) -> tuple[Sample, list[ProcessMemory]]:
    """The totals of `root`'s process tree (this process's by default)."""
    procs = tree_memory(os.getpid() if root is None else root)
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
