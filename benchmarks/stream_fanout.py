"""Live stream fan-out: 200 simulated vehicles push a fix batch every 5 s while 10
supervisor streams (`GET /api/v1/stream`) listen; measures the delay from the start of
each push to the moment each stream delivers that vehicle's `position` event.

The server runs in its own process (`python -m server`, as deployed), seeded with the
demo data plus one operator, device and assignment per vehicle. Prints progress lines,
then, as the last line, one JSON object: `vehicles` and `streams` (the sizes run),
`pushes` (fix batches accepted), `deliveries` (position events the streams delivered
for them) against `expected` (pushes × streams), the delivery delay's `median_ms`,
`p99_ms` and `max_ms`, `push_p99_ms` (the push request itself, retries included) and
`pushes_shed_503` (pushes the server shed with 503 and the vehicle retried).
Goal: p99 under 2 s.

`--quick` runs the same path at a tiny size (4 vehicles, 2 streams, one push each),
in seconds, to check that the script still works.

    .venv/bin/python benchmarks/stream_fanout.py [--vehicles 200] [--streams 10] [--duration 30]
        [--database sqlite|postgresql] [--workers N] [--quick]

`--database postgresql` runs the server on a throwaway PostgreSQL cluster (Debian's
`postgresql` package) with `--workers` processes sharing one port.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.server_load import login_all, seed  # noqa: E402
from benchmarks.server_process import cpu_seconds, server_stack  # noqa: E402
from staff.sse import open_stream  # noqa: E402
from wire.protocol import FIX_BATCH, PROTOCOL_VERSION, content_hash, encode_fix_batch  # noqa: E402

INTERVAL_S = 5.0
RESULT_KEYS: tuple[str, ...] = (
    "vehicles",
    "streams",
    "pushes",
    "deliveries",
    "expected",
    "median_ms",
    "p99_ms",
    "max_ms",
    "push_p99_ms",
    "pushes_shed_503",
)
QUICK: dict[str, Any] = {"vehicles": 4, "streams": 2, "duration": 4.0}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _body(index: int, client_id: str, seq: int, t_ms: int) -> dict[str, Any]:
    fixes = [
        [t_ms - 4000 + 1000 * k, 43.47 + index * 1e-4, -80.52 + k * 1e-5, 3.0, 90.0, 4.0]
        for k in range(5)
    ]
    payload = encode_fix_batch(fixes)
    digest = content_hash(
        stream="gps",
        type=FIX_BATCH,
        payload=payload,
        assignment_version=None,
        device_time=None,
        gps_time=None,
    )
    return {
        "protocol": PROTOCOL_VERSION,
        "client_id": client_id,
        "device_id": f"bench-tab-{index}",
        "stream": "gps",
        "events": [
            {
                "seq": seq,
                "type": FIX_BATCH,
                "id": None,
                "sha256": digest,
                "assignment_version": None,
                "device_time": None,
                "gps_time": None,
                "payload": payload,
            }
        ],
    }


async def vehicle(
    http: httpx.AsyncClient,
    index: int,
    first_at: float,
    sent: dict[tuple[str, int], float],
    push_ms: list[float],
    shed: list[int],
    until: float,
) -> None:
    """One tablet: its first push at `first_at` (monotonic), then one every INTERVAL_S."""
    client_id = str(uuid.uuid4())
    seq = 0
    async with http:
        await asyncio.sleep(max(0.0, first_at - time.monotonic()))
        while time.monotonic() < until:
            seq += 1
            t_ms = int(time.time() * 1000) * 1000 + index  # unique per vehicle and push
            body = _body(index, client_id, seq, t_ms)
            first = time.monotonic()
            while True:  # load shedding (503 + Retry-After) is retried, as a tablet does
                started = time.monotonic()
                sent[(f"bench-tab-{index}", t_ms)] = started
                response = await http.post("/api/v1/sync/push", json=body)
                if response.status_code != 503:
                    break
                shed.append(1)
                await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
            response.raise_for_status()
            push_ms.append((time.monotonic() - first) * 1000)
            started = first
            await asyncio.sleep(max(0.0, INTERVAL_S - (time.monotonic() - started)))


async def supervisor(
    base: str,
    token: str,
    sent: dict[tuple[str, int], float],
    delays: list[float],
    ready: asyncio.Event,
    stop: asyncio.Event,
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(30, read=60)) as http:
        async for event in open_stream(http, token):
            if event.event == "snapshot":
                ready.set()
            elif event.event == "position":
                data = event.json()
                started = sent.get((data["device_id"], int(data["t_ms"])))
                if started is not None:
                    delays.append((time.monotonic() - started) * 1000)
            if stop.is_set():
                return


async def run(args: argparse.Namespace, base: str, server_pids: list[int]) -> dict[str, Any]:
    tokens = await login_all(base, args.vehicles)
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        response = await http.post(
            "/api/v1/auth/login", json={"username": "supervisor", "password": "sweep-super"}
        )
        response.raise_for_status()
        staff_token = str(response.json()["access_token"])
    sent: dict[tuple[str, int], float] = {}
    delays: list[float] = []
    push_ms: list[float] = []
    shed: list[int] = []
    stop = asyncio.Event()
    readies = [asyncio.Event() for _ in range(args.streams)]
    streams = [
        asyncio.create_task(supervisor(base, staff_token, sent, delays, r, stop)) for r in readies
    ]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 30)
    print(
        f"{args.streams} streams open; {args.vehicles} vehicles for {args.duration} s", flush=True
    )
    # Every tablet's client exists before the clock starts (building 200 of them takes
    # seconds), so the first pushes are spread evenly over the interval, not in a burst.
    clients = [
        httpx.AsyncClient(
            base_url=base, timeout=30, headers={"Authorization": f"Bearer {tokens[i]}"}
        )
        for i in range(args.vehicles)
    ]
    start = time.monotonic()
    until = start + args.duration
    cpu_before = cpu_seconds(server_pids)
    await asyncio.gather(
        *(
            vehicle(
                clients[i],
                i,
                start + INTERVAL_S * i / args.vehicles,
                sent,
                push_ms,
                shed,
                until,
            )
            for i in range(args.vehicles)
        )
    )
    cpu_used = cpu_seconds(server_pids) - cpu_before
    if cpu_used and push_ms:
        print(f"server CPU: {1000 * cpu_used / len(push_ms):.2f} ms per push", flush=True)
    await asyncio.sleep(2)  # let the last deliveries arrive
    stop.set()
    for task in streams:
        task.cancel()
    await asyncio.gather(*streams, return_exceptions=True)
    return {
        "vehicles": args.vehicles,
        "streams": args.streams,
        "pushes": len(sent),
        "deliveries": len(delays),
        "expected": len(sent) * args.streams,
        "median_ms": round(statistics.median(delays), 1),
        "p99_ms": round(_percentile(delays, 0.99), 1),
        "max_ms": round(max(delays), 1),
        "push_p99_ms": round(_percentile(push_ms, 0.99), 1),
        "pushes_shed_503": len(shed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vehicles", type=int, default=200)
    parser.add_argument("--streams", type=int, default=10)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1, help="server processes (PostgreSQL)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the script")
    args = parser.parse_args()
    if args.quick:  # quick sizes as the defaults: options given still win
        parser.set_defaults(**QUICK)
        args = parser.parse_args()
    with server_stack(args.database, args.workers) as stack:
        seed(stack.store, args.vehicles)
        result = asyncio.run(run(args, stack.base, stack.pids))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
