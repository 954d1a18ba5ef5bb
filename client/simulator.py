"""A simulated sweeper that drives a route's real street geometry.

Used by the demo, training and tests. It plans a drive over the route's own street graph
(each segment swept once in a legal direction; between them it drives real route
streets in transit, found by Dijkstra, never a straight line through buildings), then
emits 1 Hz fixes with a sweeping speed profile (3–10 km/h with stops), faster transit,
and GPS-like correlated noise.
"""

from __future__ import annotations

import asyncio
import heapq
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from coverage.geo import LocalProjection
from coverage.model import Fix, Route, Segment

Node = tuple[float, float]


@dataclass(frozen=True, slots=True)
class SimulatorProfile:
    sweep_kmh: tuple[float, float] = (3.0, 10.0)
    transit_kmh: float = 25.0
    stop_chance_per_s: float = 0.01
    stop_s: tuple[int, int] = (5, 20)
    noise_m: float = 2.0
    accuracy_m: float = 4.0


def _node(c: tuple[float, float]) -> Node:
    return (round(c[0], 6), round(c[1], 6))


@dataclass(frozen=True, slots=True)
class _Edge:
    segment: Segment
    start: Node
    end: Node


class RouteSimulator:
    def __init__(
        self,
        route: Route,
        *,
        start: datetime,
        seed: int = 1,
        profile: SimulatorProfile | None = None,
    ) -> None:
        if not route.segments:
            raise ValueError(f"route {route.id!r} has no segments to drive")
        self.route = route
        self.start = start
        self.profile = profile or SimulatorProfile()
        self._rng = random.Random(seed)
        self._proj = LocalProjection.around([c for s in route.segments for c in s.coords])
        self.path, self.sweeping = self._plan()

    # -- planning -----------------------------------------------------------------------

    def _plan(self) -> tuple[list[tuple[float, float]], list[bool]]:
        """A list of (lon, lat) points and, per edge between them, whether it is swept."""
        edges = [_Edge(s, _node(s.coords[0]), _node(s.coords[-1])) for s in self.route.segments]
        adjacency: dict[Node, list[_Edge]] = {}
        for e in edges:
            adjacency.setdefault(e.start, []).append(e)
            adjacency.setdefault(e.end, []).append(e)
        # Sweepers brush the right-hand curb: a two-way street is swept once in each
        # direction; a one-way or single-lane street once (one-way: only forwards).
        todo: set[tuple[str, bool | None]] = set()
        for e in edges:
            if e.segment.oneway:
                todo.add((e.segment.id, True))
            elif e.segment.lanes <= 1:
                todo.add((e.segment.id, None))
            else:
                todo |= {(e.segment.id, True), (e.segment.id, False)}
        points: list[tuple[float, float]] = [edges[0].segment.coords[0]]
        sweeping: list[bool] = []
        here = edges[0].start

        def add(
            coords: tuple[tuple[float, float], ...] | list[tuple[float, float]], swept: bool
        ) -> None:
            for c in coords[1:]:
                points.append(c)
                sweeping.append(swept)

        def task_from(node: Node, e: _Edge) -> tuple[str, bool | None] | None:
            forward = e.start == node
            for task in ((e.segment.id, forward), (e.segment.id, None)):
                if task in todo:
                    return task
            return None

        def sweepable_from(node: Node) -> list[_Edge]:
            return [e for e in adjacency.get(node, []) if task_from(node, e) is not None]

        while todo:
            options = sweepable_from(here)
            if options:
                # Finish a street whose other curb is done before starting a new one, as
                # a crew working a block does; otherwise any way on.
                finishing = [
                    e
                    for e in options
                    if (e.segment.id, True) not in todo or (e.segment.id, False) not in todo
                ]
                edge = self._rng.choice(finishing or options)
                task = task_from(here, edge)
                if task is not None:
                    todo.discard(task)
                coords = edge.segment.coords if edge.start == here else edge.segment.coords[::-1]
                add(coords, True)
                here = edge.end if edge.start == here else edge.start
                continue
            transit = self._shortest_path_to_work(here, adjacency, sweepable_from)
            if transit is None:
                # The rest of the route is not connected to here by route streets: start
                # over at the next unswept segment without inventing a path to it.
                seg_id, forward = next(iter(sorted(todo, key=lambda t: (t[0], str(t[1])))))
                nxt = next(e for e in edges if e.segment.id == seg_id)
                start = nxt.end if forward is False else nxt.start
                points.append(nxt.segment.coords[-1] if forward is False else nxt.segment.coords[0])
                sweeping.append(False)
                here = start
                continue
            for leg in transit:
                add(leg, False)
            here = _node(points[-1])
        return points, sweeping

    def _shortest_path_to_work(
        self,
        source: Node,
        adjacency: dict[Node, list[_Edge]],
        sweepable_from: Callable[[Node], list[_Edge]],
    ) -> list[list[tuple[float, float]]] | None:
        dist: dict[Node, float] = {source: 0.0}
        back: dict[Node, tuple[Node, list[tuple[float, float]]]] = {}
        heap: list[tuple[float, Node]] = [(0.0, source)]
        while heap:
            d, node = heapq.heappop(heap)
            if d > dist.get(node, math.inf):
                continue
            if node != source and sweepable_from(node):
                legs: list[list[tuple[float, float]]] = []
                while node != source:
                    prev, coords = back[node]
                    legs.append(coords)
                    node = prev
                return legs[::-1]
            for e in adjacency.get(node, []):
                other = e.end if e.start == node else e.start
                coords = list(e.segment.coords if e.start == node else e.segment.coords[::-1])
                nd = d + e.segment.length_m
                if nd < dist.get(other, math.inf):
                    dist[other] = nd
                    back[other] = (node, coords)
                    heapq.heappush(heap, (nd, other))
        return None

    # -- driving ------------------------------------------------------------------------

    def fixes(self) -> Iterator[Fix]:
        """1 Hz fixes from the start of the drive to its end."""
        return drive(
            self.path,
            self.sweeping,
            start=self.start,
            rng=self._rng,
            profile=self.profile,
            projection=self._proj,
        )


def drive(
    path: list[tuple[float, float]],
    sweeping: list[bool],
    *,
    start: datetime,
    rng: random.Random,
    profile: SimulatorProfile | None = None,
    projection: LocalProjection | None = None,
) -> Iterator[Fix]:
    """1 Hz fixes along a (lon, lat) path; `sweeping[i]` says how edge i is driven."""
    p = profile or SimulatorProfile()
    proj = projection or LocalProjection.around(path)
    xy = [proj.to_xy(lon, lat) for lon, lat in path]
    t = start
    edge, offset = 0, 0.0
    speed = sum(p.sweep_kmh) / 2 / 3.6
    stop_left = 0
    nx = ny = 0.0
    # Receiver position errors drift slowly: second-to-second correlation is high, so the
    # jitter between consecutive fixes is a fraction of a metre, as with real receivers.
    rho = 0.97
    heading = 0.0
    while edge < len(xy) - 1:
        swept = sweeping[edge]
        if swept:
            if stop_left > 0:
                stop_left -= 1
                speed = 0.0
            elif rng.random() < p.stop_chance_per_s:
                stop_left = rng.randint(*p.stop_s)
                speed = 0.0
            else:
                lo, hi = (k / 3.6 for k in p.sweep_kmh)
                base = speed if speed > 0 else (lo + hi) / 2
                speed = min(hi, max(lo, base + rng.gauss(0, 0.25)))
        else:
            speed = p.transit_kmh / 3.6 * rng.uniform(0.85, 1.1)
        travel = speed
        while travel > 0 and edge < len(xy) - 1:
            (ax, ay), (bx, by) = xy[edge], xy[edge + 1]
            seg_len = math.hypot(bx - ax, by - ay)
            heading = math.degrees(math.atan2(bx - ax, by - ay)) % 360
            if offset + travel < seg_len:
                offset += travel
                travel = 0
            else:
                travel -= seg_len - offset
                edge += 1
                offset = 0.0
        if edge >= len(xy) - 1:
            x, y = xy[-1]
        else:
            (ax, ay), (bx, by) = xy[edge], xy[edge + 1]
            seg_len = math.hypot(bx - ax, by - ay) or 1.0
            x = ax + (bx - ax) * offset / seg_len
            y = ay + (by - ay) * offset / seg_len
        sigma = p.noise_m * math.sqrt(1 - rho * rho)
        nx = rho * nx + rng.gauss(0, sigma)
        ny = rho * ny + rng.gauss(0, sigma)
        lon, lat = proj.to_lonlat(x + nx, y + ny)
        t += timedelta(seconds=1)
        yield Fix(
            t=t,
            lat=round(lat, 7),
            lon=round(lon, 7),
            speed_mps=round(speed, 2),
            heading_deg=round(heading, 1),
            accuracy_m=p.accuracy_m,
        )


async def replay(fixes: Iterator[Fix], sink: Callable[[Fix], object], *, speedup: float) -> None:
    """Feed fixes to `sink` at their 1 Hz pace divided by `speedup`."""
    interval = 1.0 / speedup
    for fix in fixes:
        sink(fix)
        await asyncio.sleep(interval)
