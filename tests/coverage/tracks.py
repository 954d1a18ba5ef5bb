"""Seeded GPS tracks for the adversarial suite: where a vehicle really is, tick by tick, and
what its receiver reports about it.

Truth is built in local metres (x east, y north) by a small kinematic script (`Motion`:
wait, drive to a point at a speed, with optional braking and acceleration); the error
models are the ones COVERAGE.md names, each from a seeded `random.Random`:

- white jitter: independent N(0, σ) per axis and fix;
- AR(1) jitter: e_t = ρ e_(t-1) + N(0, σ √(1 - ρ²)), stationary σ, so the position wanders
  slowly as a real receiver's does (ρ = 0.95 at 1 Hz: about 20 s correlation time);
- a multipath jump: one fix displaced by 30–80 m, the next ones back in place;
- an urban-canyon / tunnel drift: the error grows steadily (here at a speed inside the
  sweeping band, the worst case) for two minutes, then snaps back when the sky returns;
  the receiver's reported accuracy widens with it, but more slowly than the real error,
  as dead-reckoning receivers do;
- a telematics feed: the same truth sampled every 25–35 s with coarser jitter and no
  accuracy reported at all.

Time is an input: every fix is stamped from a fixed start plus the tick, never the clock.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from coverage.geo import LocalProjection
from coverage.model import Fix

XY = tuple[float, float]


@dataclass(slots=True)
class Motion:
    """The vehicle's true position once per second, built step by step."""

    here: XY
    points: list[XY] = field(default_factory=list)

    def wait(self, seconds: int) -> Motion:
        self.points.extend([self.here] * seconds)
        return self

    def go(self, *route: XY, kmh: float, brake: bool = False, accel_mps2: float = 0.0) -> Motion:
        """Drive through `route` at `kmh`; from standstill at `accel_mps2` when given, and
        braking to a stop at the end at the same rate when `brake`."""
        top = kmh / 3.6
        legs = [self.here, *route]
        total = sum(math.dist(a, b) for a, b in itertools.pairwise(legs))
        travelled, speed = 0.0, (0.0 if accel_mps2 > 0 else top)
        while travelled < total - 1e-9:
            if accel_mps2 > 0:
                speed = min(top, speed + accel_mps2)
                if brake:
                    left = total - travelled
                    speed = min(speed, max(math.sqrt(2 * accel_mps2 * left), 0.5))
            travelled = min(total, travelled + speed)
            self.points.append(_at(legs, travelled))
        self.here = legs[-1]
        return self


def _at(legs: Sequence[XY], distance: float) -> XY:
    for a, b in itertools.pairwise(legs):
        d = math.dist(a, b)
        if distance <= d:
            f = distance / d if d else 0.0
            return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)
        distance -= d
    return legs[-1]


# -- error models: one (ex, ey) per tick ---------------------------------------------------


def white(n: int, sigma: float, rng: random.Random) -> list[XY]:
    return [(rng.gauss(0, sigma), rng.gauss(0, sigma)) for _ in range(n)]


def ar1(n: int, sigma: float, rng: random.Random, rho: float = 0.95) -> list[XY]:
    step = sigma * math.sqrt(1 - rho * rho)
    ex, ey = rng.gauss(0, sigma), rng.gauss(0, sigma)
    out = []
    for _ in range(n):
        out.append((ex, ey))
        ex = rho * ex + rng.gauss(0, step)
        ey = rho * ey + rng.gauss(0, step)
    return out


def jump(n: int, at: int, distance: float, angle_deg: float) -> list[XY]:
    a = math.radians(angle_deg)
    out = [(0.0, 0.0)] * n
    out[at] = (distance * math.cos(a), distance * math.sin(a))
    return out


def drift(n: int, start: int, seconds: int, speed_mps: float, angle_deg: float) -> list[XY]:
    a = math.radians(angle_deg)
    out = []
    for i in range(n):
        k = i - start
        d = speed_mps * k if 0 <= k < seconds else 0.0
        out.append((d * math.cos(a), d * math.sin(a)))
    return out


def add(*errors: Sequence[XY]) -> list[XY]:
    return [
        (sum(e[i][0] for e in errors), sum(e[i][1] for e in errors)) for i in range(len(errors[0]))
    ]


# -- fixes ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Observed:
    """What a source reports: positions with their errors, at which ticks, how accurate."""

    truth: Sequence[XY]
    error: Sequence[XY]
    accuracy_m: Sequence[float | None]
    ticks: Sequence[int]


def fixes(obs: Observed, projection: LocalProjection, start: datetime) -> list[Fix]:
    out = []
    for i in obs.ticks:
        (x, y), (ex, ey) = obs.truth[i], obs.error[i]
        lon, lat = projection.to_lonlat(x + ex, y + ey)
        out.append(
            Fix(
                t=start + timedelta(seconds=i),
                lat=round(lat, 7),
                lon=round(lon, 7),
                accuracy_m=obs.accuracy_m[i],
            )
        )
    return out


def every_second(n: int) -> list[int]:
    return list(range(n))


def telematics_ticks(n: int, rng: random.Random, lo: int = 25, hi: int = 35) -> list[int]:
    """A telematics unit's heartbeat: one point every `lo`–`hi` seconds."""
    ticks, t = [], 0
    while t < n:
        ticks.append(t)
        t += rng.randint(lo, hi)
    return ticks
