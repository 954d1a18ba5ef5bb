"""A ten-hour shift recorded offline drains to the real server on loopback.

Usage: .venv/bin/python benchmarks/sync_drain.py [--fixes 36000] [--events 500]
    [--per-fix-sample 3600] [--quick]

The reference server runs as its own process (`python -m server`, as in production) on
a fresh database. The backlog is recorded as the tablet records it: simulated 1 Hz
fixes along the demo route, committed every 5 s into the fix buffer and sealed into
compact batches, plus operator events. Then the sync engine drains it; every byte
between client and server (requests, replies, headers) is counted by a pass-through
proxy. The same fixes are then sent the OsmAnd/Traccar way, one HTTP GET per fix with
the fix in the query string, to a minimal HTTP endpoint through the same proxy.
The last line is one JSON object: `drain_seconds`, `bytes_per_fix` (GPS stream, all
wire bytes), `ratio_vs_per_fix_protocol` (per-fix bytes divided by ours),
`all_bytes_per_fix` (every stream's wire bytes, per fix), the per-fix protocol's
`per_fix_protocol_bytes_per_fix` and `per_fix_protocol_seconds` (for all the fixes,
extrapolated from the sample), and the backlog's `fixes` and `events`.

`--quick` drains ten minutes of fixes and ten events (100 fixes the per-fix way): the
same path in seconds, to check that the script still works.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from app.fix_recorder import FIX_BATCH_SECONDS, FIXES_PER_GPS_BATCH  # noqa: E402
from benchmarks.server_process import free_port, start_server  # noqa: E402
from client.api import ApiClient  # noqa: E402
from client.assignments import AssignmentCache  # noqa: E402
from client.outbox import Outbox  # noqa: E402
from client.simulator import RouteSimulator  # noqa: E402
from client.store import Store  # noqa: E402
from sync.engine import SyncEngine  # noqa: E402
from tests.helpers.fault_proxy import FaultProxy  # noqa: E402

USER, PASSWORD, DEVICE = "demo", "sweep-demo", "demo-tablet-1"
RESULT_KEYS: tuple[str, ...] = (
    "drain_seconds",
    "bytes_per_fix",
    "ratio_vs_per_fix_protocol",
    "all_bytes_per_fix",
    "per_fix_protocol_bytes_per_fix",
    "per_fix_protocol_seconds",
    "fixes",
    "events",
)
QUICK: dict[str, Any] = {"fixes": 600, "events": 10, "per_fix_sample": 100}


class CountingProxy(FaultProxy):
    """The fault proxy in pass mode, counting bytes both ways."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(host, port)
        self.request_bytes = 0

    async def _throttle(self, n: int) -> None:
        # Called once per forwarded request chunk (and reply chunk, counted separately).
        self.request_bytes += n


async def record_offline_shift(
    base_url: str, data_dir: Path, n_fixes: int, n_events: int
) -> tuple[Store, Outbox, list[list[float | int | None]]]:
    """Log in, pull the assignment, then record a shift with no network, as the tablet does."""
    store = Store(data_dir / "tablet.sqlite", device_id=DEVICE)
    outbox = Outbox(store)
    api = ApiClient(base_url)
    await api.login(USER, PASSWORD, DEVICE)
    engine = SyncEngine(store, outbox, AssignmentCache(store), api)
    await engine.pull()
    await api.aclose()
    assignment = AssignmentCache(store).current()
    if assignment is None:
        raise SystemExit("the demo server gave no assignment")
    rows: list[list[float | int | None]] = []
    start = datetime.now(UTC) - timedelta(hours=10)
    while len(rows) < n_fixes:
        sim = RouteSimulator(assignment.route, start=start, seed=len(rows) + 1)
        for fix in sim.fixes():
            rows.append(
                [
                    int(fix.t.timestamp() * 1000),
                    fix.lat,
                    fix.lon,
                    fix.speed_mps,
                    fix.heading_deg,
                    fix.accuracy_m,
                ]
            )
            start = fix.t + timedelta(seconds=1)
            if len(rows) == n_fixes:
                break
    per_flush = int(FIX_BATCH_SECONDS)
    event_every = max(1, n_fixes // max(1, n_events))
    written_events = 0
    for i in range(0, n_fixes, per_flush):
        outbox.buffer_fixes(rows[i : i + per_flush], assignment_version=assignment.version)
        outbox.seal_fixes(FIXES_PER_GPS_BATCH, partial=False)
        while written_events < n_events and written_events * event_every <= i:
            outbox.append(
                "events",
                "note",
                {"assignment_id": assignment.id, "text": f"operator note {written_events}"},
                assignment_version=assignment.version,
                gps_time=None,
            )
            written_events += 1
    outbox.seal_fixes(FIXES_PER_GPS_BATCH, partial=True)
    while written_events < n_events:
        outbox.append(
            "events",
            "note",
            {"assignment_id": assignment.id, "text": f"operator note {written_events}"},
            assignment_version=assignment.version,
            gps_time=None,
        )
        written_events += 1
    return store, outbox, rows


async def drain(base_url: str, store: Store, outbox: Outbox) -> dict[str, Any]:
    host, port = base_url.removeprefix("http://").split(":")
    proxy = CountingProxy(host, int(port))
    await proxy.start()
    api = ApiClient(proxy.url)
    await api.login(USER, PASSWORD, DEVICE)
    engine = SyncEngine(store, outbox, AssignmentCache(store), api)
    before = proxy.request_bytes + proxy.reply_bytes
    started = time.perf_counter()
    await engine._push_stream("gps")
    gps_seconds = time.perf_counter() - started
    gps_bytes = proxy.request_bytes + proxy.reply_bytes - before
    await engine.sync_once()
    seconds = time.perf_counter() - started
    total_bytes = proxy.request_bytes + proxy.reply_bytes - before
    pending = outbox.pending_counts()
    await api.aclose()
    await proxy.stop()
    if any(pending.values()):
        raise SystemExit(f"the backlog did not drain: {pending}")
    return {
        "seconds": seconds,
        "gps_seconds": gps_seconds,
        "gps_bytes": gps_bytes,
        "total_bytes": total_bytes,
        "push_requests": engine.push_requests,
    }


async def per_fix_protocol(rows: list[list[float | int | None]], sample: int) -> dict[str, Any]:
    """OsmAnd/Traccar style: one keep-alive HTTP GET per fix to a minimal endpoint."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    return
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()

    endpoint = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = endpoint.sockets[0].getsockname()[1]
    proxy = CountingProxy("127.0.0.1", port)
    await proxy.start()
    sent = rows[:sample]
    started = time.perf_counter()
    async with httpx.AsyncClient(headers={"User-Agent": "Sweepline-tablet"}) as client:
        for t_ms, lat, lon, speed, heading, acc in sent:
            params = {
                "id": DEVICE,
                "timestamp": int((t_ms or 0) // 1000),
                "lat": lat,
                "lon": lon,
                "speed": speed if speed is not None else "",
                "bearing": heading if heading is not None else "",
                "accuracy": acc if acc is not None else "",
            }
            response = await client.get(proxy.url + "/", params=params)
            response.raise_for_status()
    seconds = time.perf_counter() - started
    wire = proxy.request_bytes + proxy.reply_bytes
    await proxy.stop()
    endpoint.close()
    await endpoint.wait_closed()
    return {"bytes_per_fix": wire / len(sent), "seconds_per_fix": seconds / len(sent)}


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        server = start_server(Path(tmp) / "server.sqlite", port)
        try:
            base_url = f"http://127.0.0.1:{port}"
            t0 = time.perf_counter()
            store, outbox, rows = await record_offline_shift(
                base_url, Path(tmp), args.fixes, args.events
            )
            print(
                f"recorded {args.fixes} fixes and {args.events} events offline in "
                f"{time.perf_counter() - t0:.1f} s "
                f"({outbox.pending_rows('gps')} fix batches)"
            )
            ours = await drain(base_url, store, outbox)
            store.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
        theirs = await per_fix_protocol(rows, min(args.per_fix_sample, len(rows)))
    bytes_per_fix = ours["gps_bytes"] / args.fixes
    per_fix_seconds = theirs["seconds_per_fix"] * args.fixes
    print(
        f"sweepline: drained in {ours['seconds']:.2f} s ({ours['push_requests']} pushes); "
        f"GPS {ours['gps_bytes']} bytes = {bytes_per_fix:.2f} bytes/fix; "
        f"all traffic {ours['total_bytes']} bytes"
    )
    print(
        f"per-fix GET protocol: {theirs['bytes_per_fix']:.1f} bytes/fix; "
        f"{per_fix_seconds:.1f} s for {args.fixes} fixes "
        f"(measured on {min(args.per_fix_sample, len(rows))} fixes)"
    )
    return {
        "drain_seconds": round(ours["seconds"], 3),
        "bytes_per_fix": round(bytes_per_fix, 2),
        "ratio_vs_per_fix_protocol": round(theirs["bytes_per_fix"] / bytes_per_fix, 1),
        "all_bytes_per_fix": round(ours["total_bytes"] / args.fixes, 2),
        "per_fix_protocol_bytes_per_fix": round(theirs["bytes_per_fix"], 1),
        "per_fix_protocol_seconds": round(per_fix_seconds, 1),
        "fixes": args.fixes,
        "events": args.events,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixes", type=int, default=36_000)
    parser.add_argument("--events", type=int, default=500)
    # One GET per fix costs the same bytes every time: a sample gives bytes per fix
    # exactly and the time for the whole shift by extrapolation (all 36,000 take ~3 min).
    parser.add_argument("--per-fix-sample", type=int, default=3_600)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the script")
    args = parser.parse_args()
    if args.quick:  # quick sizes as the defaults: options given still win
        parser.set_defaults(**QUICK)
        args = parser.parse_args()
    print(json.dumps(asyncio.run(main_async(args))))


if __name__ == "__main__":
    main()
