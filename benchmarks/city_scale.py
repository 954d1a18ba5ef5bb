"""A city-sized database behind the real server: the progress export and the
supervisor's pull, plain and gzipped.

Usage: .venv/bin/python benchmarks/city_scale.py [--runs 15] [--server-tree PATH] [--quick]

The database is built reproducibly by `benchmarks/city_db.py` (38 routes, ~5,300
segments of the real Cambridge MA centrelines, 21,500 facts). The reference server runs
as its own process (`python -m server`, as in production) on loopback. Measured over
HTTP as a supervisor sees it: `GET /api/v1/export/progress` (CSV, then GeoJSON, with
`Accept-Encoding: identity` as before answers were compressed; then the CSV gzipped), and a
fresh pull of every route (`POST /api/v1/sync/pull`, the reset snapshot with the 38
assignments and their routes), once with `Accept-Encoding: identity` and once with
`gzip`, counting the body bytes as they crossed the wire.

`--server-tree PATH` runs the server from another checkout (e.g. the main branch) on the
same database, for a before/after comparison with one script.

The last line is one JSON object: `routes`, `segments`, `facts`,
`export_progress_median_s` and `export_progress_p95_s` (CSV),
`export_progress_geojson_median_s`, `export_progress_gzip_median_s` (CSV, gzipped),
`export_progress_server_cpu_s` (the server process's CPU seconds per plain CSV export,
from /proc: on a machine shared with other work, wall-clock figures mostly measure the
wait for a core, CPU time does not),
`pull_bytes` (identity), `pull_gzip_bytes`,
`pull_gzip_ratio` (identity / gzip), `pull_median_s` and `pull_gzip_median_s`.

`--quick` builds a smaller database (6 routes, 1,500 facts) and measures three runs: the
same path in seconds, to check that the script still works.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from benchmarks.city_db import FACTS, ROUTES, SUPERVISOR, build_city_db  # noqa: E402
from benchmarks.server_process import free_port  # noqa: E402
from wire.protocol import PROTOCOL_VERSION  # noqa: E402

RESULT_KEYS: tuple[str, ...] = (
    "routes",
    "segments",
    "facts",
    "export_progress_median_s",
    "export_progress_p95_s",
    "export_progress_geojson_median_s",
    "export_progress_gzip_median_s",
    "export_progress_server_cpu_s",
    "pull_bytes",
    "pull_gzip_bytes",
    "pull_gzip_ratio",
    "pull_median_s",
    "pull_gzip_median_s",
)
QUICK: dict[str, int] = {"routes": 6, "facts": 1_500, "runs": 3}


def start(db: Path, port: int, tree: Path) -> subprocess.Popen[bytes]:
    """`python -m server` from `tree` on the city database (no demo data)."""
    env = {**os.environ, "PYTHONPATH": str(tree), "SWEEPLINE_LOG_FORMAT": "text"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "--db", str(db), "--port", str(port)],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed_get(http: httpx.Client, path: str, headers: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = http.get(path, headers=headers)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.text[:200]}")
    return times


def pull_bytes(
    http: httpx.Client, headers: dict[str, str], encoding: str, runs: int
) -> tuple[int, list[float], int]:
    """Wire bytes of a fresh pull (every page), its times, and the assignments pulled."""
    size, times, assignments = 0, [], 0
    for run in range(runs):
        cursor: str | None = None
        size = assignments = 0
        started = time.perf_counter()
        while True:
            body = {"protocol": PROTOCOL_VERSION, "client_id": _client(run), "cursor": cursor}
            sent = {**headers, "Accept-Encoding": encoding}
            with http.stream("POST", "/api/v1/sync/pull", json=body, headers=sent) as response:
                raw = b"".join(response.iter_raw())
            size += len(raw)
            gzipped = response.headers.get("Content-Encoding") == "gzip"
            page: dict[str, Any] = json.loads(gzip.decompress(raw) if gzipped else raw)
            assignments += sum(1 for c in page["changes"] if c["entity"] == "assignment")
            cursor = page["cursor"]
            if not page["has_more"]:
                break
        times.append(time.perf_counter() - started)
    return size, times, assignments


def _client(run: int) -> str:
    return f"00000000-0000-4000-8000-{run:012d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="requests per figure")
    parser.add_argument("--server-tree", type=Path, default=REPO, help="checkout to serve from")
    parser.add_argument("--quick", action="store_true", help="a small database, three runs")
    args = parser.parse_args()
    routes, facts, runs = (
        (QUICK["routes"], QUICK["facts"], QUICK["runs"])
        if args.quick
        else (ROUTES, FACTS, args.runs)
    )
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "city.db"
        started = time.perf_counter()
        counts = build_city_db(db, routes=routes, facts=facts)
        print(
            f"built {counts['routes']} routes, {counts['segments']} segments,"
            f" {counts['facts']} facts in {time.perf_counter() - started:.1f} s"
        )
        port = free_port()
        proc = start(db, port, args.server_tree.resolve())
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
                login = {"username": SUPERVISOR[0], "password": SUPERVISOR[1]}
                token = http.post("/api/v1/auth/login", json=login).json()["access_token"]
                auth = {"Authorization": f"Bearer {token}"}
                plain_auth = {**auth, "Accept-Encoding": "identity"}
                csv_path = "/api/v1/export/progress?format=csv"
                cpu_before = cpu_seconds(proc.pid)
                csv_times = timed_get(http, csv_path, plain_auth, runs)
                export_cpu = (cpu_seconds(proc.pid) - cpu_before) / runs
                geo_path = "/api/v1/export/progress?format=geojson"
                geo_times = timed_get(http, geo_path, plain_auth, runs)
                gzip_times = timed_get(http, csv_path, {**auth, "Accept-Encoding": "gzip"}, runs)
                plain, plain_times, pulled = pull_bytes(http, auth, "identity", runs)
                packed, packed_times, _ = pull_bytes(http, auth, "gzip", runs)
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    result: dict[str, Any] = {
        **counts,
        "export_progress_median_s": round(statistics.median(csv_times), 3),
        "export_progress_p95_s": round(p95(csv_times), 3),
        "export_progress_geojson_median_s": round(statistics.median(geo_times), 3),
        "export_progress_gzip_median_s": round(statistics.median(gzip_times), 3),
        "export_progress_server_cpu_s": round(export_cpu, 3),
        "pull_bytes": plain,
        "pull_gzip_bytes": packed,
        "pull_gzip_ratio": round(plain / packed, 2),
        "pull_median_s": round(statistics.median(plain_times), 3),
        "pull_gzip_median_s": round(statistics.median(packed_times), 3),
    }
    print(f"server from {args.server_tree}; {runs} runs per figure")
    print(
        f"progress export (CSV): median {result['export_progress_median_s']} s,"
        f" p95 {result['export_progress_p95_s']} s;"
        f" GeoJSON median {result['export_progress_geojson_median_s']} s;"
        f" CSV gzipped median {result['export_progress_gzip_median_s']} s;"
        f" server CPU per CSV export {result['export_progress_server_cpu_s']} s"
    )
    print(
        f"supervisor pull of {pulled} assignments: {plain:,} bytes plain,"
        f" {packed:,} bytes gzipped ({result['pull_gzip_ratio']}x smaller);"
        f" median {result['pull_median_s']} s plain, {result['pull_gzip_median_s']} s gzipped"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
