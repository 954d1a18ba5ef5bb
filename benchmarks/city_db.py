"""A city-sized server database, built the same way every time: 38 routes, ~5,300
segments, 21,500 facts.

The streets are the real Cambridge MA centrelines (tests/data, PDDL 1.0; see
tests/data/PROVENANCE_routes.md), each cut in two at its middle (one segment per block
half, as a city's own layer often has it) and grouped into routes the way a city names
them ("Strip 07", with a space), as 38 strips of equal segment count west to east. They
go through the real importer with field options, as an unseen city's layer would.

The facts are what a season of shifts leaves, in the proportions the pilot saw: sweeps
of every route (folded into the segment state as pushes are), exceptions, "not swept"
reports, notes and GPS batches, written straight into the database (pushing 21,500
facts over HTTP would measure the push, not what is built here). Times come from a fixed
start, so the content does not depend on today's date; only the assignments are for
the server's today, as a supervisor's pull asks for them.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, Final

from server.admin import AssignmentRequest, assign, create_user, upsert_device
from server.clock import local_today
from server.db import Database
from server.facts import record_sweep
from server.importer import import_routes, mapping_for
from server.settings import Settings
from wire.protocol import FIX_BATCH, encode_fix_batch

REPO = Path(__file__).resolve().parent.parent
LAYER = REPO / "tests" / "data" / "cambridge_centerlines_with_sweep_district.geojson"
ROUTES: Final = 38
FACTS: Final = 21_500
SUPERVISOR: Final = ("supervisor", "sweep-super")
# Share of each fact type (the rest are sweeps).
_MIX: Final = {"exception": 0.09, "segment_not_swept": 0.025, "note": 0.025, FIX_BATCH: 0.16}
_START_MS: Final = 1_714_550_400_000  # 2024-05-01T08:00:00Z
_EXCEPTION_KINDS: Final = ("parked car", "construction", "blocked", "debris too large")


def _halves(line: list[list[float]]) -> list[list[list[float]]]:
    """The line cut at its middle vertex, or at the midpoint of a two-point line."""
    if len(line) == 2:
        a, b = line
        middle = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2]
        return [[a, middle], [middle, b]]
    cut = len(line) // 2
    return [line[: cut + 1], line[cut:]]


def city_layer(routes: int = ROUTES) -> dict[str, Any]:
    """The derived GeoJSON layer: `ID`, `Street`, `Direction`, `Route` per half segment."""
    source = json.loads(LAYER.read_text(encoding="utf-8"))
    pieces: list[tuple[float, dict[str, Any]]] = []
    for feature in source["features"]:
        props, geometry = feature["properties"], feature["geometry"]
        lines = geometry["coordinates"]
        lines = [lines] if geometry["type"] == "LineString" else lines
        for part, line in enumerate(lines):
            for half, coords in zip("ab", _halves(line), strict=True):
                pieces.append(
                    (
                        coords[0][0],
                        {
                            "type": "Feature",
                            "geometry": {"type": "LineString", "coordinates": coords},
                            "properties": {
                                "ID": f"{props['ID']}-{part}{half}",
                                "Street": props.get("Street"),
                                "Direction": props.get("Direction"),
                            },
                        },
                    )
                )
    pieces.sort(key=lambda item: item[0])
    per_route = -(-len(pieces) // routes)
    features = []
    for n, (_, feature) in enumerate(pieces):
        feature["properties"]["Route"] = f"Strip {n // per_route + 1:02d}"
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def _insert_fact(conn: Any, seq: int, type_: str, payload: Any, who: int, when_ms: int) -> None:
    stamp = _iso(when_ms)
    conn.execute(
        "INSERT INTO facts(client_id, stream, seq, type, sha256, assignment_version,"
        " device_time, gps_time, payload_json, status, flags, fix_count, username,"
        " device_id, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'applied', '', ?, ?, ?, ?)",
        (
            f"client-{who:02d}",
            "gps" if type_ == FIX_BATCH else "events",
            seq,
            type_,
            f"{seq:064x}",
            None if type_ == FIX_BATCH else 1,
            stamp,
            stamp,
            json.dumps(payload, separators=(",", ":")),
            len(payload["columns"][0]) if type_ == FIX_BATCH else 0,
            f"op{who:02d}",
            f"tab-{who:02d}",
            _iso(when_ms + 30_000),
        ),
    )


def _iso(ms: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_city_db(path: Path, *, routes: int = ROUTES, facts: int = FACTS) -> dict[str, int]:
    """Create the database at `path`; answers its route, segment and fact counts."""
    rng = random.Random(19)
    db = Database(path)
    db.migrate()
    settings = Settings()
    mapping = mapping_for(
        None,
        id_field="ID",
        street_field="Street",
        oneway_field="Direction",
        route_field="Route",
        route_prefix="city-",
        attribution="City of Cambridge GIS, PDDL 1.0",
    )
    with db.write() as conn:
        summary = import_routes(conn, city_layer(routes), mapping)
        segments = [
            (str(r[0]), str(r[1]))
            for r in conn.execute("SELECT route_id, segment_id FROM segments ORDER BY rowid")
        ]
        create_user(
            conn,
            username=SUPERVISOR[0],
            password=SUPERVISOR[1],
            role="supervisor",
            display_name="Supervisor",
            settings=settings,
        )
        for n, route_id in enumerate(summary.routes, start=1):
            create_user(
                conn,
                username=f"op{n:02d}",
                password=f"operator-{n:02d}",
                role="operator",
                display_name=f"Operator {n}",
                settings=settings,
            )
            upsert_device(conn, device_id=f"tab-{n:02d}", vehicle=f"Sweeper {n}")
            assign(
                conn,
                AssignmentRequest(
                    local_today().isoformat(), f"op{n:02d}", f"tab-{n:02d}", route_id
                ),
            )
        kinds = list(_MIX)
        weights = [*_MIX.values()]
        sweep_share = 1 - sum(weights)
        for seq in range(1, facts + 1):
            type_ = rng.choices([*kinds, "segment_swept"], [*weights, sweep_share])[0]
            route_id, segment_id = rng.choice(segments)
            who = rng.randrange(1, len(summary.routes) + 1)
            when = _START_MS + seq * 45_000
            payload: dict[str, Any]
            if type_ == FIX_BATCH:
                payload = encode_fix_batch(
                    [[when + i * 1000, 42.37 + i * 1e-5, -71.11, 2.5, 90.0, 4.0] for i in range(5)]
                )
            elif type_ == "segment_swept":
                payload = {
                    "assignment_id": f"asg-{route_id}",
                    "route_id": route_id,
                    "segment_id": segment_id,
                    "side": rng.choice(("left", "right", "both")),
                    "source": "auto",
                }
                record_sweep(conn, payload, _iso(when), f"op{who:02d}")
            elif type_ == "note":
                payload = {"text": "hydrant leaking", "lat": 42.37, "lon": -71.11}
            else:
                payload = {
                    "route_id": route_id,
                    "segment_id": segment_id,
                    "kind": rng.choice(_EXCEPTION_KINDS),
                    "reason": "blocked",
                    "side": "left",
                    "lat": 42.37,
                    "lon": -71.11,
                    "note": "",
                }
            _insert_fact(conn, seq, type_, payload, who, when)
    return {"routes": len(summary.routes), "segments": len(segments), "facts": facts}
