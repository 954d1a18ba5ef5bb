"""Coverage throughput: the live engine against the shapely oracle on all of Cambridge MA.

The network is the city's 2,643 street centrelines; the track is the simulator sweeping
district D (each street once, real transit between them over the street graph, 3–10
km/h with stops, 25 km/h transit, 2 m correlated GPS noise). Both implementations run
the kitchener-2023 profile over the whole network in one process; the live engine takes
the fixes one by one, the oracle takes the whole track at once. The last line printed is
one JSON object: the network's `segments`, the track's `fixes`, fixes/s of each
(`live_fixes_per_s`, `oracle_fixes_per_s`), their `ratio`, the `agreement` of segment
statuses and the number of `disagreements`, and the `swept_segments` (live engine).

`--quick` takes the district alone as the network and the track's first 1,500 fixes:
the same path in seconds, to check that the script still works.

Run: .venv/bin/python benchmarks/coverage_throughput.py [--district D] [--seed 1]
    [--network city|district] [--fixes N] [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from client.simulator import RouteSimulator
from coverage.engine import CoverageEngine
from coverage.geo import LocalProjection
from coverage.profiles import KITCHENER_2023
from tests.coverage.oracle import cambridge_network, compare, kitchener_oracle, split_tracks

RESULT_KEYS: tuple[str, ...] = (
    "segments",
    "fixes",
    "live_fixes_per_s",
    "oracle_fixes_per_s",
    "ratio",
    "agreement",
    "disagreements",
    "swept_segments",
)
QUICK: dict[str, Any] = {"network": "district", "fixes": 1500}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--district", default="D")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--network", choices=("city", "district"), default="city", help="the network both run over"
    )
    parser.add_argument(
        "--fixes", type=int, default=0, help="only the track's first N fixes (0: all)"
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the script")
    args = parser.parse_args()
    if args.quick:  # quick sizes as the defaults: options given still win
        parser.set_defaults(**QUICK)
        args = parser.parse_args()
    district = cambridge_network(args.district)
    city = cambridge_network() if args.network == "city" else district
    start = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
    fixes = list(RouteSimulator(district, start=start, seed=args.seed).fixes())
    if args.fixes:
        fixes = fixes[: args.fixes]
    proj = LocalProjection.around([c for s in city.segments for c in s.coords])

    t0 = time.perf_counter()
    engine = CoverageEngine(city, KITCHENER_2023, projection=proj)
    t1 = time.perf_counter()
    for fix in fixes:
        engine.add_fix(fix)
    t2 = time.perf_counter()
    oracle = kitchener_oracle(city.segments, split_tracks(fixes, proj), proj)
    t3 = time.perf_counter()

    agreement, disagreements = compare(engine, oracle)
    live_rate = len(fixes) / (t2 - t1)
    oracle_rate = len(fixes) / (t3 - t2)
    swept = len(engine.swept_ids())
    print(
        f"network: {len(city.segments)} segments; track: {len(fixes)} fixes "
        f"(district {args.district}, {len(district.segments)} segments)"
    )
    print(f"live engine: build {t1 - t0:.2f} s, {t2 - t1:.2f} s, {live_rate:,.0f} fixes/s")
    print(f"shapely oracle: {t3 - t2:.2f} s, {oracle_rate:,.0f} fixes/s")
    print(f"ratio {live_rate / oracle_rate:.1f}x; agreement {agreement:.4f}; swept {swept}")
    for line in disagreements:
        print("  disagreement:", line)
    print(
        json.dumps(
            {
                "segments": len(city.segments),
                "fixes": len(fixes),
                "live_fixes_per_s": round(live_rate, 1),
                "oracle_fixes_per_s": round(oracle_rate, 1),
                "ratio": round(live_rate / oracle_rate, 2),
                "agreement": round(agreement, 4),
                "disagreements": len(disagreements),
                "swept_segments": swept,
            }
        )
    )


if __name__ == "__main__":
    main()
