"""Demo routes, accounts and today's assignment, built from real OpenStreetMap streets.

The demo has to feel like a real shift: real residential and tertiary streets of Uptown
Waterloo (resources/demo, © OpenStreetMap contributors, ODbL 1.0), cut into
intersection-to-intersection segments, grouped into three connected routes a sweeper
could actually drive. Everything is deterministic so tests and screenshots are stable.
"""

from __future__ import annotations

import heapq
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from server.auth import upsert_user
from server.clock import local_today
from server.dbapi import Connection
from server.forms import save_form
from server.geo import Coord, haversine_m, line_length_m
from server.logs import log_event
from server.plans import PlannedRoute, PlannedSegment, insert_route, put_assignment
from server.settings import Settings

log = logging.getLogger(__name__)

ROADS_PATH: Final = (
    Path(__file__).resolve().parent.parent
    / "resources"
    / "demo"
    / "waterloo_uw_uptown_2017_roads.geojson"
)
ATTRIBUTION: Final = "© OpenStreetMap contributors, ODbL 1.0"
SWEPT_HIGHWAYS: Final = frozenset({"residential", "tertiary"})
MIN_SEGMENT_M: Final = 15.0
TARGET_ROUTE_M: Final = 5000.0
MIN_ROUTE_M: Final = 3000.0
MAX_ROUTE_M: Final = 8000.0


@dataclass(frozen=True, slots=True)
class RouteSeed:
    """A named area: the route grows outward from the street nearest `near`."""

    id: str
    name: str
    near: Coord


DEMO_SEEDS: Final[tuple[RouteSeed, ...]] = (
    RouteSeed("uptown-north", "Uptown North", (-80.5240, 43.4710)),
    RouteSeed("uptown-east", "Uptown East", (-80.5190, 43.4640)),
    RouteSeed("uptown-west", "Uptown West", (-80.5300, 43.4605)),
)

DEMO_OPERATOR: Final = ("demo", "sweep-demo", "Demo Operator")
DEMO_SUPERVISOR: Final = ("supervisor", "sweep-super", "Demo Supervisor")
DEMO_DEVICE: Final = "demo-tablet-1"
DEMO_VEHICLE: Final = "Sweeper 12"

# The pilot's forms, pulled by every tablet: the end-of-shift survey and the feedback
# button's short form. Saving an unchanged definition keeps its version.
PILOT_END_OF_SHIFT: Final[dict[str, Any]] = {
    "id": "pilot-end-of-shift",
    "title": "End of shift: how did it go?",
    "questions": [
        {
            "id": "map_useful",
            "type": "rating",
            "required": True,
            "label": "How useful was the map today? (1 = not at all, 5 = very)",
        },
        {
            "id": "colours_matched",
            "type": "yes_no",
            "required": True,
            "label": "Did the swept colours match what you actually swept?",
        },
        {
            "id": "obstacle",
            "type": "single_choice",
            "label": "Biggest obstacle today",
            "choices": ["Parked cars", "Construction", "Debris", "Other"],
        },
        {
            "id": "comment",
            "type": "short_text",
            "max_length": 300,
            "label": "Anything else? (optional)",
        },
    ],
}
PILOT_FEEDBACK: Final[dict[str, Any]] = {
    "id": "pilot-feedback",
    "title": "Feedback on the tablet",
    "questions": [
        {
            "id": "topic",
            "type": "single_choice",
            "required": True,
            "label": "What is it about?",
            "choices": ["Map", "GPS / position", "Swept colours", "Buttons", "Other"],
        },
        {
            "id": "text",
            "type": "short_text",
            "required": True,
            "max_length": 300,
            "label": "What happened?",
        },
    ],
}
DEMO_FORMS: Final = (PILOT_END_OF_SHIFT, PILOT_FEEDBACK)


def load_roads(path: Path = ROADS_PATH) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    features: list[dict[str, Any]] = data["features"]
    return features


def _oneway(value: object) -> tuple[bool, bool]:
    """(is one-way, drawn against the direction of travel) from the OSM tag."""
    text = str(value).strip().lower() if value is not None else ""
    if text == "-1":
        return True, True
    return text in {"yes", "1", "true"}, False


def _lanes(value: object, oneway: bool) -> int:
    try:
        lanes = int(str(value).split(";")[0].strip())
    except ValueError:
        lanes = 0
    return lanes if lanes > 0 else (1 if oneway else 2)


def _split_points(features: Iterable[Mapping[str, Any]]) -> set[Coord]:
    """Vertices shared by two or more ways: the intersections."""
    ways_at: defaultdict[Coord, set[int]] = defaultdict(set)
    for f in features:
        for c in f["geometry"]["coordinates"]:
            ways_at[(c[0], c[1])].add(int(f["id"]))
    return {c for c, ways in ways_at.items() if len(ways) > 1}


def _pieces(coords: Sequence[Coord], cuts: set[Coord]) -> list[list[Coord]]:
    pieces: list[list[Coord]] = [[coords[0]]]
    for i, c in enumerate(coords[1:], start=1):
        pieces[-1].append(c)
        if c in cuts and i < len(coords) - 1:
            pieces.append([c])
    return pieces


def _merge_tiny(pieces: list[list[Coord]]) -> list[list[Coord]]:
    """Fold pieces shorter than MIN_SEGMENT_M into their neighbour along the same way."""
    pieces = [list(p) for p in pieces]
    while len(pieces) > 1:
        lengths = [line_length_m(p) for p in pieces]
        tiny = next((i for i, n in enumerate(lengths) if n < MIN_SEGMENT_M), None)
        if tiny is None:
            break
        if tiny == 0:
            pieces[0:2] = [pieces[0] + pieces[1][1:]]
        else:
            pieces[tiny - 1 : tiny + 1] = [pieces[tiny - 1] + pieces[tiny][1:]]
    return pieces


def build_segments(features: Sequence[Mapping[str, Any]]) -> list[PlannedSegment]:
    """Intersection-to-intersection segments of the swept street classes, by id."""
    cuts = _split_points(features)
    segments: list[PlannedSegment] = []
    for f in sorted(features, key=lambda f: int(f["id"])):
        props = f["properties"]
        if props.get("highway") not in SWEPT_HIGHWAYS or f["geometry"]["type"] != "LineString":
            continue
        coords: list[Coord] = [(c[0], c[1]) for c in f["geometry"]["coordinates"]]
        if len(coords) < 2:
            continue
        oneway, reverse = _oneway(props.get("oneway"))
        name = props.get("name") or f"Unnamed {props['highway']}"
        lanes = _lanes(props.get("lanes"), oneway)
        for k, piece in enumerate(_merge_tiny(_pieces(coords, cuts))):
            length = line_length_m(piece)
            if length < MIN_SEGMENT_M:
                continue
            drawn = tuple(reversed(piece)) if reverse else tuple(piece)
            segments.append(
                PlannedSegment(
                    id=f"osm-{int(f['id'])}-{k}",
                    street=str(name),
                    length_m=round(length, 1),
                    lanes=lanes,
                    oneway=oneway,
                    coords=drawn,
                )
            )
    return segments


def adjacency(segments: Sequence[PlannedSegment]) -> dict[str, set[str]]:
    """Segments that share a vertex: a vehicle can turn from one onto the other."""
    at: defaultdict[Coord, list[str]] = defaultdict(list)
    for s in segments:
        for c in set(s.coords):
            at[c].append(s.id)
    neighbours: dict[str, set[str]] = {s.id: set() for s in segments}
    for ids in at.values():
        for a in ids:
            neighbours[a].update(b for b in ids if b != a)
    return neighbours


def components(segments: Sequence[PlannedSegment]) -> list[set[str]]:
    """Connected groups of segment ids, largest first (ties by smallest id)."""
    neighbours = adjacency(segments)
    groups: list[set[str]] = []
    seen: set[str] = set()
    for s in segments:
        if s.id in seen:
            continue
        group = {s.id}
        stack = [s.id]
        while stack:
            for n in neighbours[stack.pop()]:
                if n not in group:
                    group.add(n)
                    stack.append(n)
        seen |= group
        groups.append(group)
    return sorted(groups, key=lambda g: (-len(g), min(g)))


def is_connected(segments: Sequence[PlannedSegment]) -> bool:
    return len(components(segments)) == 1


def _midpoint(s: PlannedSegment) -> Coord:
    return s.coords[len(s.coords) // 2]


def grow_route(
    seed: RouteSeed,
    segments: Sequence[PlannedSegment],
    taken: set[str],
    target_m: float = TARGET_ROUTE_M,
) -> PlannedRoute:
    """Grow a connected route from the free segment nearest the seed, nearest-first.

    Starts inside the largest street network so an isolated cul-de-sac near the seed
    cannot strand the route; every added segment touches one already chosen.
    """
    by_id = {s.id: s for s in segments}
    neighbours = adjacency(segments)

    def distance(s: PlannedSegment) -> float:
        return haversine_m(seed.near, _midpoint(s))

    network = components(segments)[0] if segments else set()
    free = [s for s in segments if s.id not in taken and s.id in network]
    if not free:
        raise ValueError(f"no free street left for route {seed.id}")
    start = min(free, key=lambda s: (distance(s), s.id))
    chosen: list[PlannedSegment] = []
    frontier: list[tuple[float, str]] = [(distance(start), start.id)]
    queued = {start.id}
    total = 0.0
    while frontier and total < target_m:
        _, sid = heapq.heappop(frontier)
        segment = by_id[sid]
        chosen.append(segment)
        taken.add(sid)
        total += segment.length_m
        for n in sorted(neighbours[sid]):
            if n not in taken and n not in queued:
                queued.add(n)
                heapq.heappush(frontier, (distance(by_id[n]), n))
    route = PlannedRoute(seed.id, seed.name, tuple(chosen), ATTRIBUTION)
    if not MIN_ROUTE_M <= route.length_m <= MAX_ROUTE_M:
        raise ValueError(f"route {seed.id} came out {route.length_m} m long")
    return route


def build_demo_routes(features: Sequence[Mapping[str, Any]] | None = None) -> list[PlannedRoute]:
    """The three demo routes: disjoint, each connected, each 3–8 km of street."""
    segments = build_segments(load_roads() if features is None else features)
    taken: set[str] = set()
    return [grow_route(seed, segments, taken) for seed in DEMO_SEEDS]


def has_demo_data(conn: Connection) -> bool:
    return conn.execute("SELECT 1 FROM routes LIMIT 1").fetchone() is not None


def seed_demo_forms(conn: Connection) -> None:
    """Save the pilot's forms (the demo app calls this; tests that count pulled changes
    seed only routes and accounts). An unchanged definition keeps its version."""
    for definition in DEMO_FORMS:
        save_form(conn, definition, DEMO_SUPERVISOR[0])


def seed_demo(conn: Connection, settings: Settings) -> bool:
    """Seed routes and accounts if the database has none, and make sure the demo operator
    has an assignment for today. Call inside a write transaction; True if it seeded."""
    seeded = False
    if not has_demo_data(conn):
        routes = build_demo_routes()
        for route in routes:
            insert_route(conn, route)
        for (username, password, display), role in (
            (DEMO_OPERATOR, "operator"),
            (DEMO_SUPERVISOR, "supervisor"),
        ):
            upsert_user(
                conn,
                username=username,
                password=password,
                role=role,
                display_name=display,
                settings=settings,
            )
        conn.execute(
            "INSERT OR IGNORE INTO devices(device_id, vehicle) VALUES (?, ?)",
            (DEMO_DEVICE, DEMO_VEHICLE),
        )
        seeded = True
        log_event(
            log,
            logging.INFO,
            "demo_seeded",
            routes=",".join(f"{r.id}:{r.length_m:.0f}m" for r in routes),
        )
    first_route = conn.execute("SELECT id FROM routes ORDER BY rowid LIMIT 1").fetchone()[0]
    today = local_today().isoformat()
    put_assignment(
        conn,
        assignment_id=f"asg-{today}-{first_route}",
        date=today,
        operator=DEMO_OPERATOR[0],
        device_id=DEMO_DEVICE,
        vehicle=DEMO_VEHICLE,
        route_id=first_route,
    )
    return seeded
