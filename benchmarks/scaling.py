"""Scaling: the largest fleet (every vehicle pushes a fix batch every 5 s) that one server
setup serves with 20 supervisor streams open, keeping push p99 under 200 ms and shedding
nothing, for SQLite with one process and PostgreSQL with 1, 2 and 4 processes.

Each setup is the server as deployed (`python -m server` processes; PostgreSQL a
throwaway cluster from Debian's `postgresql` package, the processes sharing one port
with --reuse-port). The fleet grows level by level (`--levels`) until a level misses the
goal; the load generator runs in this one process, on the same machine, on aiohttp and
uvloop so that it takes as little of the shared CPU as a client can. Sessions are
issued directly in the database (the benchmark measures pushes, not 1,500 argon2 logins).

Prints one line per level and a table, then, as the last line, one JSON object:
`streams`, `duration_s`, and `setups`, a list of {`database`, `workers`,
`max_vehicles` (0: not even the first level held), `levels`: [{`vehicles`,
`push_p99_ms`, `push_median_ms`, `pushes`, `shed_503`, `ok`, `cpu_ms_per_push`:
{`server`, `database`, `load_generator`}}]}.

`--quick` runs tiny levels on SQLite/1 and PostgreSQL/2 in well under a minute.

    .venv/bin/python benchmarks/scaling.py [--setups sqlite:1,postgresql:1,postgresql:2,
        postgresql:4] [--levels 200,400,...] [--streams 20] [--duration 20] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import uvloop

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.server_load import seed  # noqa: E402
from benchmarks.server_process import (  # noqa: E402
    Stack,
    cpu_seconds,
    server_stack,
    tree_cpu_seconds,
)
from benchmarks.stream_fanout import INTERVAL_S, _body, _percentile  # noqa: E402
from server.auth import User, start_session  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.stores import open_store  # noqa: E402

GOAL_P99_MS = 200.0
CPU_PARTS = ("server", "database", "load_generator")
RESULT_KEYS: tuple[str, ...] = ("streams", "duration_s", "setups")
DEFAULT_SETUPS = "sqlite:1,postgresql:1,postgresql:2,postgresql:4"
DEFAULT_LEVELS = "200,400,600,800,1000,1200,1500"
QUICK: dict[str, Any] = {
    "setups": "sqlite:1,postgresql:2",
    "levels": "4,8",
    "streams": 2,
    "duration": 3.0,
}


def issue_sessions(store: Path | str, vehicles: int) -> list[str]:
    """An access token per bench operator, bound to its tablet, valid for hours."""
    db = open_store(store)
    settings = Settings(token_ttl_s=6 * 3600)
    try:
        return [
            start_session(
                db, User(f"bench{i}", "operator", f"Bench {i}", None), f"bench-tab-{i}", settings
            ).access_token
            for i in range(vehicles)
        ]
    finally:
        db.close()


async def _stream(
    base: str, token: str, counts: list[int], ready: asyncio.Event, stop: asyncio.Event
) -> None:
    """A supervisor's stream, read as cheaply as a client can: bytes in, positions counted;
    `ready` once its snapshot has arrived."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    timeout = httpx.Timeout(30, read=None)
    async with (
        httpx.AsyncClient(base_url=base, timeout=timeout) as http,
        http.stream("GET", "/api/v1/stream", headers=headers) as response,
    ):
        response.raise_for_status()
        async for chunk in response.aiter_raw():
            ready.set()  # the first bytes are the snapshot
            counts.append(chunk.count(b"event: position"))
            if stop.is_set():
                return


async def _vehicle(
    http: aiohttp.ClientSession,
    index: int,
    token: str,
    first_at: float,
    until: float,
    push_ms: list[float],
    shed: list[int],
) -> None:
    client_id = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {token}"}
    await asyncio.sleep(max(0.0, first_at - time.monotonic()))
    seq = 0
    while time.monotonic() < until:
        seq += 1
        began = time.monotonic()
        body = _body(index, client_id, seq, int(time.time() * 1000) * 1000 + index)
        while True:
            async with http.post("/api/v1/sync/push", json=body, headers=headers) as response:
                await response.read()
                if response.status != 503:
                    response.raise_for_status()
                    break
                shed.append(1)
                retry_after = float(response.headers.get("Retry-After", "1"))
            await asyncio.sleep(retry_after)
        push_ms.append((time.monotonic() - began) * 1000)
        await asyncio.sleep(max(0.0, INTERVAL_S - (time.monotonic() - began)))


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu(stack: Stack) -> tuple[float, float, float]:
    """CPU seconds so far: server processes, PostgreSQL (0 on SQLite), load generator."""
    database = 0.0 if stack.db_pid is None else tree_cpu_seconds(stack.db_pid)
    return cpu_seconds(stack.pids), database, _own_cpu_seconds()


async def run_level(
    stack: Stack, tokens: list[str], vehicles: int, duration: float
) -> dict[str, Any]:
    base = stack.base
    push_ms: list[float] = []
    shed: list[int] = []
    # A session with one connection per tablet, built before the clock starts, as tablets
    # are. aiohttp, not httpx: the load generator shares the server's two cores, and
    # httpx costs it about three times the CPU per request.
    clients = [
        aiohttp.ClientSession(
            base_url=base,
            timeout=aiohttp.ClientTimeout(total=30),
            connector=aiohttp.TCPConnector(limit=1),
        )
        for _ in range(vehicles)
    ]
    # Out of the collector's sight: a full collection over a thousand sessions stalls the
    # generator's loop for tens of milliseconds, which would be counted as push latency.
    gc.collect()
    gc.freeze()
    cpu_before = _cpu(stack)
    start = time.monotonic()
    until = start + duration
    try:
        await asyncio.gather(
            *(
                _vehicle(
                    clients[i],
                    i,
                    tokens[i],
                    start + INTERVAL_S * i / vehicles,
                    until,
                    push_ms,
                    shed,
                )
                for i in range(vehicles)
            )
        )
    finally:
        cpu_used = [after - before for after, before in zip(_cpu(stack), cpu_before, strict=True)]
        await asyncio.gather(*(client.close() for client in clients))
    per_push = [round(1000 * used / max(1, len(push_ms)), 2) for used in cpu_used]
    p99 = round(_percentile(push_ms, 0.99), 1) if push_ms else 0.0
    return {
        "vehicles": vehicles,
        "push_p99_ms": p99,
        "push_median_ms": round(statistics.median(push_ms), 1) if push_ms else 0.0,
        "pushes": len(push_ms),
        "shed_503": len(shed),
        "ok": bool(push_ms) and p99 < GOAL_P99_MS and not shed,
        "cpu_ms_per_push": dict(
            zip(("server", "database", "load_generator"), per_push, strict=True)
        ),
    }


async def measure(stack: Stack, args: argparse.Namespace, levels: list[int]) -> dict[str, Any]:
    tokens = issue_sessions(stack.store, max(levels))
    async with httpx.AsyncClient(base_url=stack.base, timeout=60) as http:
        response = await http.post(
            "/api/v1/auth/login", json={"username": "supervisor", "password": "sweep-super"}
        )
        response.raise_for_status()
        staff = str(response.json()["access_token"])
    stop = asyncio.Event()
    counts: list[int] = []
    readies = [asyncio.Event() for _ in range(args.streams)]
    streams = [
        asyncio.create_task(_stream(stack.base, staff, counts, ready, stop)) for ready in readies
    ]
    # Every stream connected and past its snapshot before the fleet starts.
    await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies)), 120)
    results = []
    try:
        for vehicles in levels:
            level = await run_level(stack, tokens, vehicles, args.duration)
            cpu = level["cpu_ms_per_push"]
            print(
                f"  {vehicles:5d} vehicles: push p99 {level['push_p99_ms']:8.1f} ms, "
                f"{level['pushes']} pushes, {level['shed_503']} shed → "
                f"{'ok' if level['ok'] else 'MISSED'}; CPU per push {cpu['server']} ms server, "
                f"{cpu['database']} ms PostgreSQL, {cpu['load_generator']} ms load generator",
                flush=True,
            )
            results.append(level)
            if not level["ok"]:
                break
    finally:
        stop.set()
        for task in streams:
            task.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
    held = [level["vehicles"] for level in results if level["ok"]]
    return {"max_vehicles": max(held, default=0), "levels": results, "positions": sum(counts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setups", default=DEFAULT_SETUPS, help="DATABASE:WORKERS,...")
    parser.add_argument("--levels", default=DEFAULT_LEVELS, help="vehicle counts, ascending")
    parser.add_argument("--streams", type=int, default=20)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per level")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the script")
    args = parser.parse_args()
    if args.quick:
        parser.set_defaults(**QUICK)
        args = parser.parse_args()
    try:
        levels = sorted(int(v) for v in args.levels.split(","))
        setups = [(d, int(w)) for d, w in (s.split(":") for s in args.setups.split(","))]
    except ValueError:
        parser.error("--levels is N,N,... and --setups is DATABASE:WORKERS,...")
    out = []
    for database, workers in setups:
        print(f"{database} × {workers} process(es), {args.streams} streams:", flush=True)
        with server_stack(database, workers) as stack:
            seed(stack.store, max(levels))
            found = uvloop.run(measure(stack, args, levels))
        out.append({"database": database, "workers": workers, **found})
    print(f"\n{'setup':<16}{'max vehicles (p99 < 200 ms, 0 shed)':>38}")
    for setup in out:
        print(
            f"{setup['database']}/{setup['workers']:<{15 - len(setup['database'])}}"
            f"{setup['max_vehicles']:>38}"
        )
    print(json.dumps({"streams": args.streams, "duration_s": args.duration, "setups": out}))


if __name__ == "__main__":
    main()
