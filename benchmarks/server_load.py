"""Load on the reference server: N simulated vehicles over loopback.

Usage: .venv/bin/python benchmarks/server_load.py [--duration 30] [--vehicles 50,100,200]
    [--quick]

The server runs as its own process (`python -m server`, as in production) on a fresh
database with the demo routes; this process only generates load. Each vehicle is an
operator account with its own device, assignment and client id; it pushes a fix batch
(5 fixes, compact format) every 5 s, now and then an event (a note or a segment swept),
and pulls every 30 s, starting at a random moment. Latency is measured per request,
from send to full response. Prints one line per N and, last, one JSON object with
`duration_s` (per level), `cpus`, and per level N the figures suffixed `_N`: requests
sent (`requests_50`, `requests_100`, `requests_200`), requests per second
(`throughput_rps_50`, `throughput_rps_100`, `throughput_rps_200`), latency in ms at the
median (`p50_ms_50`, `p50_ms_100`, `p50_ms_200`), at p99 (`p99_ms_50`, `p99_ms_100`,
`p99_ms_200`) and worst (`max_ms_50`, `max_ms_100`, `max_ms_200`), and requests not
answered 200 (`errors_50`, `errors_100`, `errors_200`).

`--quick` keeps the three levels (the figures' names depend on them) but drives each
for one second, with every vehicle's first push inside it: the whole path in about
half a minute, to check that the script still works.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.server_process import free_port, start_server  # noqa: E402
from server.auth import hash_password  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.stores import open_store  # noqa: E402
from wire.protocol import FIX_BATCH, PROTOCOL_VERSION, content_hash, encode_fix_batch  # noqa: E402

PASSWORD = "bench-password"
FIX_PERIOD_S = 5.0
PULL_EVERY = 6  # pushes, i.e. every 30 s
EVENT_PROBABILITY = 0.2
RESULT_KEYS: tuple[str, ...] = (
    "duration_s",
    "cpus",
    "requests_50",
    "throughput_rps_50",
    "p50_ms_50",
    "p99_ms_50",
    "max_ms_50",
    "errors_50",
    "requests_100",
    "throughput_rps_100",
    "p50_ms_100",
    "p99_ms_100",
    "max_ms_100",
    "errors_100",
    "requests_200",
    "throughput_rps_200",
    "p50_ms_200",
    "p99_ms_200",
    "max_ms_200",
    "errors_200",
)
QUICK: dict[str, Any] = {"duration": 1.0}


def seed(db_path: Path | str, vehicles: int) -> None:
    """Demo routes (server start-up) plus `vehicles` operators, devices and assignments
    (`db_path`: a SQLite file or a PostgreSQL URL)."""
    db = open_store(db_path)
    digest = hash_password(PASSWORD, Settings())  # real cost at login: the same argon2id settings
    today = date.today().isoformat()
    with db.write() as conn:
        routes = [r[0] for r in conn.execute("SELECT id FROM routes ORDER BY id")]
        for i in range(vehicles):
            conn.execute(
                "INSERT INTO users(username, password_hash, role, display_name)"
                " VALUES (?, ?, 'operator', ?)",
                (f"bench{i}", digest, f"Bench {i}"),
            )
            conn.execute(
                "INSERT INTO devices(device_id, vehicle) VALUES (?, ?)",
                (f"bench-tab-{i}", f"Sweeper {i}"),
            )
            conn.execute(
                "INSERT INTO assignments(id, version, date, operator, device_id, vehicle,"
                " route_id) VALUES (?, 1, ?, ?, ?, ?, ?)",
                (
                    f"bench-asg-{i}",
                    today,
                    f"bench{i}",
                    f"bench-tab-{i}",
                    f"Sweeper {i}",
                    routes[i % len(routes)],
                ),
            )
    db.close()


def _event(seq: int, type_: str, payload: Any, stream: str, version: int | None) -> dict[str, Any]:
    device_time = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {
        "seq": seq,
        "type": type_,
        "id": None,
        "sha256": content_hash(
            stream=stream,
            type=type_,
            payload=payload,
            assignment_version=version,
            device_time=device_time,
            gps_time=None,
        ),
        "assignment_version": version,
        "device_time": device_time,
        "gps_time": None,
        "payload": payload,
    }


class Vehicle:
    def __init__(self, index: int, token: str, segments: list[str], route_id: str) -> None:
        self.index = index
        self.headers = {"Authorization": f"Bearer {token}"}
        self.client_id = str(uuid.uuid4())
        self.device_id = f"bench-tab-{index}"
        self.segments = segments
        self.route_id = route_id
        self.seq = {"events": 0, "gps": 0}
        self.cursor: str | None = None
        self.lat, self.lon = 43.465 + random.random() * 0.005, -80.53 + random.random() * 0.01

    def _push_body(self, stream: str, type_: str, payload: Any, version: int | None) -> Any:
        self.seq[stream] += 1
        return {
            "protocol": PROTOCOL_VERSION,
            "client_id": self.client_id,
            "device_id": self.device_id,
            "stream": stream,
            "events": [_event(self.seq[stream], type_, payload, stream, version)],
        }

    def fix_body(self) -> Any:
        now_ms = int(time.time() * 1000)
        rows = []
        for k in range(5):
            self.lat += random.uniform(-1, 1) * 1e-5
            self.lon += random.uniform(-1, 1) * 1e-5
            rows.append([now_ms - (4 - k) * 1000, self.lat, self.lon, 2.5, 90.0, 4.0])
        return self._push_body("gps", FIX_BATCH, encode_fix_batch(rows), None)

    def event_body(self) -> Any:
        if random.random() < 0.5:
            payload: dict[str, Any] = {"text": f"bench note from {self.index}"}
            return self._push_body("events", "note", payload, 1)
        payload = {
            "assignment_id": f"bench-asg-{self.index}",
            "route_id": self.route_id,
            "segment_id": random.choice(self.segments),
            "covered_fraction": 0.95,
            "source": "inferred",
            "side": "both",
        }
        return self._push_body("events", "segment_swept", payload, 1)


async def _timed(
    http: httpx.AsyncClient, path: str, body: Any, headers: dict[str, str], out: list[float]
) -> tuple[int, Any]:
    start = time.perf_counter()
    answer: Any = None
    try:
        response = await http.post(path, json=body, headers=headers)
        status = response.status_code
        if status == 200:
            answer = response.json()
    except httpx.HTTPError:
        status = 0
    out.append((time.perf_counter() - start) * 1000)
    return status, answer


async def drive(
    vehicle: Vehicle,
    http: httpx.AsyncClient,
    until: float,
    latencies: list[float],
    statuses: dict[int, int],
) -> None:
    # Starts spread over a period, or over the whole run when that is shorter (--quick),
    # so that every vehicle sends something.
    await asyncio.sleep(random.uniform(0, min(FIX_PERIOD_S, until - time.monotonic())))
    cycle = 0
    while time.monotonic() < until:
        began = time.monotonic()
        calls = [("/api/v1/sync/push", vehicle.fix_body())]
        if random.random() < EVENT_PROBABILITY:
            calls.append(("/api/v1/sync/push", vehicle.event_body()))
        if cycle % PULL_EVERY == 0:
            calls.append(
                (
                    "/api/v1/sync/pull",
                    {
                        "protocol": PROTOCOL_VERSION,
                        "client_id": vehicle.client_id,
                        "cursor": vehicle.cursor,
                    },
                )
            )
        for path, body in calls:
            status, answer = await _timed(http, path, body, vehicle.headers, latencies)
            statuses[status] = statuses.get(status, 0) + 1
            if path.endswith("/pull") and answer is not None and not answer["has_more"]:
                vehicle.cursor = answer["cursor"]
        cycle += 1
        await asyncio.sleep(max(0.0, FIX_PERIOD_S - (time.monotonic() - began)))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run_level(
    base: str, tokens: list[str], n: int, duration: float, routes: dict[str, list[str]]
) -> dict[str, float]:
    route_ids = sorted(routes)
    vehicles = [
        Vehicle(i, tokens[i], routes[route_ids[i % len(route_ids)]], route_ids[i % len(route_ids)])
        for i in range(n)
    ]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    limits = httpx.Limits(max_connections=n + 10, max_keepalive_connections=n + 10)
    # TCP_NODELAY as a tablet's client should set it: a POST's headers and body go out in
    # two writes, and Nagle would hold the body for the server's delayed ACK (~40 ms).
    transport = httpx.AsyncHTTPTransport(
        limits=limits, socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    )
    async with httpx.AsyncClient(base_url=base, timeout=30, transport=transport) as http:
        until = time.monotonic() + duration
        started = time.monotonic()
        await asyncio.gather(*(drive(v, http, until, latencies, statuses) for v in vehicles))
        elapsed = time.monotonic() - started
    errors = sum(c for s, c in statuses.items() if s != 200)
    return {
        "requests": len(latencies),
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(_percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1),
        "errors": errors,
    }


async def login_all(base: str, n: int) -> list[str]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        semaphore = asyncio.Semaphore(4)

        async def one(i: int) -> str:
            async with semaphore:
                response = await http.post(
                    "/api/v1/auth/login",
                    json={
                        "username": f"bench{i}",
                        "password": PASSWORD,
                        "device_id": f"bench-tab-{i}",
                    },
                )
                response.raise_for_status()
                return str(response.json()["access_token"])

        return list(await asyncio.gather(*(one(i) for i in range(n))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per level")
    parser.add_argument("--vehicles", default="50,100,200", help="comma-separated levels")
    parser.add_argument("--quick", action="store_true", help="one second per level")
    args = parser.parse_args()
    if args.quick:  # quick sizes as the defaults: options given still win
        parser.set_defaults(**QUICK)
        args = parser.parse_args()
    levels = [int(v) for v in args.vehicles.split(",")]
    random.seed(7)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "server.db"
        port = free_port()
        # First start creates the schema and the demo routes; then the bench accounts.
        proc = start_server(db_path, port)
        proc.terminate()
        proc.wait(10)
        seed(db_path, max(levels))
        db = open_store(db_path)
        with db.read() as conn:
            routes: dict[str, list[str]] = {}
            for row in conn.execute("SELECT route_id, segment_id FROM segments"):
                routes.setdefault(row[0], []).append(row[1])
        proc = start_server(db_path, port)
        base = f"http://127.0.0.1:{port}"
        try:
            tokens = asyncio.run(login_all(base, max(levels)))
            figures: dict[str, Any] = {"duration_s": args.duration, "cpus": os.cpu_count()}
            for n in levels:
                result = asyncio.run(run_level(base, tokens, n, args.duration, routes))
                print(
                    f"{n:4d} vehicles: {result['requests']} requests, "
                    f"{result['throughput_rps']} req/s, p50 {result['p50_ms']} ms, "
                    f"p99 {result['p99_ms']} ms, max {result['max_ms']} ms, "
                    f"errors {result['errors']}",
                    flush=True,
                )
                for key, value in result.items():
                    figures[f"{key}_{n}"] = value
        finally:
            proc.terminate()
            proc.wait(10)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
