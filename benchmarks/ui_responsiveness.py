"""Does the UI's event loop stay responsive while a shift's backlog drains?

Usage: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/ui_responsiveness.py
    [--fixes 36000] [--events 500] [--after 5] [--quick]

Records the same offline backlog as `sync_drain.py` (10 hours of 1 Hz fixes and 500
events), then runs the tablet core on a qasync event loop, as the application does:
the sync engine drains the backlog to the real server (its own process) while a 1 Hz
fix source feeds the tablet and a 10 ms QTimer measures how late each tick fires.
The last line is one JSON object with `max_stall_ms` (goal: at most 50) and
`p99_stall_ms` (how late a tick fired, beyond its 10 ms), `probe_ticks` (ticks
measured, during the drain and `--after` it), `drain_seconds` and
`facts_waiting_at_start` (events and fixes waiting when the drain began).

`--quick` drains ten minutes of fixes and ten events and probes one second after: the
same path in seconds, to check that the script still works.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import qasync  # noqa: E402
from PySide6.QtCore import QCoreApplication, QTimer  # noqa: E402

from app.tablet import Tablet  # noqa: E402
from benchmarks.server_process import free_port, start_server  # noqa: E402
from benchmarks.sync_drain import DEVICE, PASSWORD, USER, record_offline_shift  # noqa: E402
from client.api import ApiClient  # noqa: E402
from client.simulator import RouteSimulator  # noqa: E402

PROBE_MS = 10
RESULT_KEYS: tuple[str, ...] = (
    "max_stall_ms",
    "p99_stall_ms",
    "probe_ticks",
    "drain_seconds",
    "facts_waiting_at_start",
)
QUICK: dict[str, Any] = {"fixes": 600, "events": 10, "after": 1.0}


async def measure(base_url: str, data_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    store, _outbox, _rows = await record_offline_shift(base_url, data_dir, args.fixes, args.events)
    api = ApiClient(base_url)
    await api.login(USER, PASSWORD, DEVICE)
    tablet = Tablet(store, api, gps_source_name="simulator")
    assert tablet.assignment is not None
    tablet.start_shift()
    fixes = RouteSimulator(tablet.assignment.route, start=datetime.now(UTC), seed=9).fixes()

    stalls: list[float] = []
    last = [time.perf_counter()]

    def on_probe() -> None:
        now = time.perf_counter()
        stalls.append((now - last[0]) * 1000 - PROBE_MS)
        last[0] = now

    probe = QTimer()
    probe.setInterval(PROBE_MS)
    probe.timeout.connect(on_probe)
    source = QTimer()
    source.setInterval(1000)
    source.timeout.connect(lambda: tablet.record_fix(next(fixes)))
    waiting = tablet.sync_state().pending_total
    probe.start()
    source.start()
    started = time.perf_counter()
    tablet.start()
    while tablet.sync_state().pending_total > 0 or not tablet.sync_state().online:
        await asyncio.sleep(0.05)
        if time.perf_counter() - started > 120:
            raise SystemExit("the backlog did not drain in 2 minutes")
    drained = time.perf_counter() - started
    await asyncio.sleep(args.after)  # the fix source alone, for comparison
    probe.stop()
    source.stop()
    await tablet.aclose()
    store.close()
    ordered = sorted(stalls)
    return {
        "max_stall_ms": round(max(stalls), 1),
        "p99_stall_ms": round(ordered[int(len(ordered) * 0.99)], 1),
        "probe_ticks": len(stalls),
        "drain_seconds": round(drained, 2),
        "facts_waiting_at_start": waiting,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixes", type=int, default=36_000)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--after", type=float, default=5.0, help="seconds to keep probing")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the script")
    args = parser.parse_args()
    if args.quick:  # quick sizes as the defaults: options given still win
        parser.set_defaults(**QUICK)
        args = parser.parse_args()
    app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        server = start_server(Path(tmp) / "server.sqlite", port)
        try:
            with loop:
                result = loop.run_until_complete(
                    measure(f"http://127.0.0.1:{port}", Path(tmp), args)
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        f"drained {result['facts_waiting_at_start']} waiting facts in "
        f"{result['drain_seconds']} s; longest stall of the 10 ms timer "
        f"{result['max_stall_ms']} ms (p99 {result['p99_stall_ms']} ms)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
