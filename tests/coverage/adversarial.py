"""The adversarial track suite (issue 18, COVERAGE.md "False sweeps"): tracks that must not
sweep a street the vehicle did not sweep, with the GPS errors real receivers make.

The street network is a small block in Kitchener, in local metres: a 150 m two-way main
street (`main`, LANES = 2) from x = 0 to x = 150 with its continuations west and east,
cross streets at both ends (north and south halves) and a one-lane alley parallel to
it, `alley_m` to the north (16 m unless the scenario moves it). Each scenario says
what the vehicle really swept (`truth`); every other segment called swept is a false
sweep. `python -m tests.coverage.adversarial` prints the table scenario × profile →
segments wrongly swept (summed over the seeds).
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from coverage.engine import CoverageEngine
from coverage.geo import LocalProjection, line_length_m
from coverage.model import Fix, Route, Segment
from coverage.profiles import KITCHENER_2023, SWEEPLINE, CoverageProfile, FixSource
from tests.coverage.tracks import (
    XY,
    Motion,
    Observed,
    add,
    ar1,
    drift,
    every_second,
    fixes,
    jump,
    telematics_ticks,
    white,
)

T0 = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
ORIGIN = LocalProjection(-80.4925, 43.4510)
PROFILES: tuple[CoverageProfile, ...] = (KITCHENER_2023, SWEEPLINE)
SEEDS: tuple[int, ...] = (1, 2, 3)
RECEIVER, TELEMATICS = "receiver", "telematics"
SWEEP_KMH = 6.0
CURB_M = 2.0  # the antenna's offset from the centreline when brushing a 2-lane curb


def network(alley_m: float = 16.0) -> Route:
    lines: dict[str, tuple[list[XY], int]] = {
        "main": ([(0, 0), (150, 0)], 2),
        "main-west": ([(-120, 0), (0, 0)], 2),
        "main-east": ([(150, 0), (270, 0)], 2),
        "cross-w-s": ([(0, -100), (0, 0)], 2),
        "cross-w-n": ([(0, 0), (0, 100)], 2),
        "cross-e-s": ([(150, -100), (150, 0)], 2),
        "cross-e-n": ([(150, 0), (150, 100)], 2),
        "alley": ([(0, alley_m), (150, alley_m)], 1),
    }
    segments = []
    for sid, (xy, lanes) in lines.items():
        coords = tuple(ORIGIN.to_lonlat(x, y) for x, y in xy)
        segments.append(Segment(sid, sid, line_length_m(coords), lanes, False, coords))
    return Route("adversarial", "Adversarial block", tuple(segments))


@dataclass(frozen=True, slots=True)
class Run:
    route: Route
    fixes: list[Fix]
    truth: frozenset[str]  # segments the vehicle really swept
    source: str = RECEIVER


def _receiver(
    motion: Motion, error: list[XY], accuracy: float | list[float | None] = 4.0
) -> list[Fix]:
    n = len(motion.points)
    acc = accuracy if isinstance(accuracy, list) else [accuracy] * n
    return fixes(Observed(motion.points, error, acc, every_second(n)), ORIGIN, T0)


# -- the scenarios ---------------------------------------------------------------------------


def parked(model: str, sigma: float) -> Callable[[random.Random], Run]:
    def build(rng: random.Random) -> Run:
        motion = Motion((75.0, -CURB_M)).wait(30 * 60)
        n = len(motion.points)
        error = white(n, sigma, rng) if model == "white" else ar1(n, sigma, rng)
        return Run(network(), _receiver(motion, error), frozenset())

    return build


def shuttle(length_m: float) -> Callable[[random.Random], Run]:
    """Back and forth (reversing) over `length_m` of main at sweeping speed, 20 minutes."""

    def build(rng: random.Random) -> Run:
        x0 = rng.uniform(20, 130 - length_m)
        motion = Motion((x0, -CURB_M))
        while len(motion.points) < 20 * 60:
            motion.go((x0 + length_m, -CURB_M), kmh=SWEEP_KMH)
            motion.go((x0, -CURB_M), kmh=SWEEP_KMH)
        error = ar1(len(motion.points), 2.0, rng)
        return Run(network(), _receiver(motion, error), frozenset())

    return build


def parallel(offset_m: float) -> Callable[[random.Random], Run]:
    """Sweeping the alley `offset_m` north of main, both ways (its one lane, no curb side)."""

    def build(rng: random.Random) -> Run:
        y = offset_m
        motion = Motion((-15.0, y)).wait(5)
        motion.go((165.0, y), kmh=SWEEP_KMH).wait(10).go((-15.0, y), kmh=SWEEP_KMH)
        error = ar1(len(motion.points), rng.choice((2.0, 3.0)), rng)
        return Run(network(offset_m), _receiver(motion, error), frozenset({"alley"}))

    return build


def crossing(rng: random.Random) -> Run:
    """Sweeping the west cross street straight over the intersection, both ways."""
    motion = Motion((CURB_M, 95.0)).wait(5)
    motion.go((CURB_M, -95.0), kmh=SWEEP_KMH).wait(10)
    motion.go((-CURB_M, -95.0), kmh=3).go((-CURB_M, 95.0), kmh=SWEEP_KMH)
    error = ar1(len(motion.points), 2.0, rng)
    truth = frozenset({"cross-w-n", "cross-w-s"})
    return Run(network(), _receiver(motion, error), truth)


def u_turn(rng: random.Random) -> Run:
    """Sweeping main east, a U-turn over the east intersection, sweeping it back west."""
    motion = Motion((-5.0, -CURB_M)).wait(5).go((150.0, -CURB_M), kmh=SWEEP_KMH)
    motion.go((160.0, -4.0), (166.0, 0.0), (160.0, 4.0), (150.0, CURB_M), kmh=4)
    motion.go((-5.0, CURB_M), kmh=SWEEP_KMH)
    error = ar1(len(motion.points), 2.0, rng)
    return Run(network(), _receiver(motion, error), frozenset({"main"}))


def drive_through(kmh: float) -> Callable[[random.Random], Run]:
    """Along the whole street and back above the sweeping band, stopping at each corner."""

    def build(rng: random.Random) -> Run:
        motion = Motion((-120.0, -CURB_M)).wait(5)
        for x in (0.0, 150.0, 270.0):
            motion.go((x - 3, -CURB_M), kmh=kmh, accel_mps2=1.5, brake=True).wait(3)
        motion.go((270.0, CURB_M), kmh=5)
        for x in (150.0, 0.0, -120.0):
            motion.go((x + 3, CURB_M), kmh=kmh, accel_mps2=1.5, brake=True).wait(3)
        error = ar1(len(motion.points), 2.0, rng)
        return Run(network(), _receiver(motion, error), frozenset())

    return build


def multipath(distance_m: float) -> Callable[[random.Random], Run]:
    """Parked; one fix thrown `distance_m` away (along or across the street), 10 minutes."""

    def build(rng: random.Random) -> Run:
        motion = Motion((75.0, -CURB_M)).wait(10 * 60)
        n = len(motion.points)
        angle = rng.choice((0.0, 90.0, 180.0, 270.0)) + rng.uniform(-15, 15)
        error = add(ar1(n, 1.0, rng), jump(n, rng.randint(60, n - 60), distance_m, angle))
        return Run(network(), _receiver(motion, error), frozenset())

    return build


def canyon_drift(rng: random.Random) -> Run:
    """Parked; a 2-minute drift at 0.8 m/s (inside the sweeping band) along or across the
    street, then the fix snaps back. The reported accuracy widens by a quarter of the
    drift: the receiver knows it is degrading, and says so late."""
    motion = Motion((75.0, -CURB_M)).wait(8 * 60)
    n = len(motion.points)
    angle = rng.choice((0.0, 180.0, 90.0))
    start = rng.randint(60, 180)
    d = drift(n, start, 120, 0.8, angle)
    accuracy: list[float | None] = [round(4.0 + 0.25 * abs(complex(*e)), 1) for e in d]
    return Run(network(), _receiver(motion, add(ar1(n, 1.0, rng), d), accuracy), frozenset())


def telematics_idle(rng: random.Random) -> Run:
    """A telematics unit on an idling truck: a point every 25–35 s for two hours, 5 m
    white jitter, no accuracy reported."""
    motion = Motion((75.0, -CURB_M)).wait(2 * 3600)
    n = len(motion.points)
    obs = Observed(motion.points, white(n, 5.0, rng), [None] * n, telematics_ticks(n, rng))
    return Run(network(), fixes(obs, ORIGIN, T0), frozenset(), TELEMATICS)


SCENARIOS: dict[str, Callable[[random.Random], Run]] = {
    **{f"parked 30 min, white σ {s} m": parked("white", s) for s in (0.5, 1.0, 2.0, 3.0)},
    **{f"parked 30 min, AR(1) σ {s} m": parked("ar1", s) for s in (1.0, 2.0, 3.0)},
    **{f"shuttling over {n} m, 20 min": shuttle(n) for n in (10, 20, 30)},
    **{f"parallel alley {d} m away": parallel(d) for d in (12, 16, 20)},
    "crossing at the intersection": crossing,
    "U-turn at the segment end": u_turn,
    **{f"driving through at {k} km/h": drive_through(k) for k in (25, 30, 40)},
    **{f"multipath jump {d} m": multipath(d) for d in (30, 50, 80)},
    "2-minute urban-canyon drift": canyon_drift,
    "telematics feed (25–35 s), idling 2 h": telematics_idle,
}


def sweep_main(noise: str) -> Callable[[random.Random], Run]:
    """The control: really sweeping main (and its continuations) in both directions."""

    def build(rng: random.Random) -> Run:
        motion = Motion((-125.0, -CURB_M)).wait(15).go((275.0, -CURB_M), kmh=SWEEP_KMH)
        motion.go((285.0, 0.0), (275.0, CURB_M), kmh=4).go((-125.0, CURB_M), kmh=SWEEP_KMH)
        n = len(motion.points)
        truth = frozenset({"main-west", "main", "main-east"})
        if noise == "telematics":
            obs = Observed(motion.points, white(n, 3.0, rng), [None] * n, telematics_ticks(n, rng))
            return Run(network(), fixes(obs, ORIGIN, T0), truth, TELEMATICS)
        error = ar1(n, 2.0, rng) if noise == "ar1" else white(n, 1.0, rng)
        return Run(network(), _receiver(motion, error), truth)

    return build


# Controls: the safeguards must not stop a real sweep from counting. The value is what
# must come out swept: a telematics feed judges speed over 60 s, so the first minute of
# its track and the minute around the turn beyond main-east cannot count, and the two
# end streets may miss a curb; main, in the middle, must not.
CONTROLS: dict[str, Callable[[random.Random], Run]] = {
    "sweeping main both ways, AR(1) σ 2 m": sweep_main("ar1"),
    "sweeping main both ways, white σ 1 m": sweep_main("white"),
    "sweeping main both ways, telematics feed": sweep_main("telematics"),
}
MUST_SWEEP: dict[str, frozenset[str]] = {
    "sweeping main both ways, AR(1) σ 2 m": frozenset({"main-west", "main", "main-east"}),
    "sweeping main both ways, white σ 1 m": frozenset({"main-west", "main", "main-east"}),
    "sweeping main both ways, telematics feed": frozenset({"main"}),
}


def engine_for(run: Run, profile: CoverageProfile) -> CoverageEngine:
    return CoverageEngine(run.route, profile, source=FixSource(run.source))


def wrongly_swept(name: str, profile: CoverageProfile, seed: int) -> tuple[set[str], Run]:
    """Segments called swept that the vehicle did not sweep, and the run itself."""
    run = {**SCENARIOS, **CONTROLS}[name](random.Random(seed))
    engine = engine_for(run, profile)
    for fix in run.fixes:
        engine.add_fix(fix)
    return engine.swept_ids() - run.truth, run


def swept(name: str, profile: CoverageProfile, seed: int) -> set[str]:
    run = {**SCENARIOS, **CONTROLS}[name](random.Random(seed))
    engine = engine_for(run, profile)
    for fix in run.fixes:
        engine.add_fix(fix)
    return engine.swept_ids()


def table(seeds: Iterable[int] = SEEDS) -> str:
    seeds = tuple(seeds)
    head = " | ".join(p.name for p in PROFILES)
    rows = [f"| scenario ({len(seeds)} seeds) | {head} |", "|---|" + "---|" * len(PROFILES)]
    for name in SCENARIOS:
        cells = []
        for profile in PROFILES:
            wrong: list[str] = []
            for seed in seeds:
                wrong += sorted(wrongly_swept(name, profile, seed)[0])
            cells.append(f"{len(wrong)}" + (f" ({', '.join(sorted(set(wrong)))})" if wrong else ""))
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="scenario × profile → segments wrongly swept")
    parser.add_argument("--seeds", type=int, nargs="*", default=list(SEEDS))
    print(table(parser.parse_args().seeds))
