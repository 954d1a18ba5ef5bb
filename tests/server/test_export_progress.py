"""The progress export read in one pass over the facts says exactly what the per-route
reading said (the supervisor's route history, `segment_history`, once per route).

The fixture is real Cambridge MA centrelines (three districts as routes) with facts of
every kind the export must count or ignore: exceptions and "not swept" reports on the
route's segments, on a segment id that exists only in another route, on no segment, with
a route id that is not text, rejected ones, GPS-stream ones, payloads that are not an
object or not JSON, plus sweeps folded into the segment state.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from server.dbapi import Store
from server.export import _COLUMNS, export, progress_rows, to_csv
from server.export_details import last_rules, swept_sides
from server.facts import record_sweep
from server.importer import import_routes, load_geojson, mapping_for
from server.metrics import segment_history
from server.stores import open_store
from tests.helpers.cambridge import DATA
from tests.server.conftest import NewStore

DISTRICTS = ("C", "F", "K")


def per_route_progress_rows(conn: Any) -> list[dict[str, Any]]:
    """The export as it was built before: the route history, route by route (with the
    curb sides and rule of each segment's sweep, as the exports carry them)."""
    rows = []
    sides, rules = swept_sides(conn), last_rules(conn)
    for route in conn.execute("SELECT id FROM routes ORDER BY id").fetchall():
        for s in segment_history(conn, route["id"]):
            rows.append(
                {
                    "route_id": route["id"],
                    "segment_id": s["segment_id"],
                    "street": s["street"],
                    "length_m": s["length_m"],
                    "swept": s["swept_at"] is not None,
                    "swept_at": s["swept_at"],
                    "swept_by": s["swept_by"],
                    "sides": sides.get((route["id"], s["segment_id"]), ""),
                    "rule": rules.get((route["id"], s["segment_id"]), ""),
                    "passes": s["passes"],
                    "exceptions": len(s["exceptions"]),
                }
            )
    return rows


def _fact(conn: Any, seq: int, type_: str, payload: Any, **overrides: Any) -> None:
    row: dict[str, Any] = {
        "client_id": "c1",
        "stream": "events",
        "seq": seq,
        "type": type_,
        "sha256": f"{seq:064x}",
        "device_time": f"2024-05-01T08:{seq % 60:02d}:00Z",
        "gps_time": None,
        "payload_json": payload if isinstance(payload, str) else json.dumps(payload),
        "status": "applied",
        "reason": None,
        "flags": "",
        "username": f"op{seq % 3}",
        "device_id": "tab-1",
        "received_at": "2024-05-01T09:00:00Z",
        **overrides,
    }
    conn.execute(
        f"INSERT INTO facts({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        tuple(row.values()),
    )


@pytest.fixture(scope="module")
def db(new_store: NewStore) -> Iterator[Store]:
    database = open_store(new_store())
    database.migrate()
    layer: Any = load_geojson(DATA / "cambridge_centerlines_with_sweep_district.geojson")
    layer["features"] = [
        f for f in layer["features"] if f["properties"].get("sweep_district") in DISTRICTS
    ]
    with database.write() as conn:
        import_routes(conn, layer, mapping_for("cambridge"))
        segments = {
            rid: [r[0] for r in conn.execute(
                "SELECT segment_id FROM segments WHERE route_id = ? ORDER BY ord", (rid,)
            )]
            for rid in (f"cambridge-{d}" for d in DISTRICTS)
        }  # fmt: skip
        seq = 0
        for rid, ids in segments.items():
            for n, sid in enumerate(ids[::3]):
                seq += 1
                sweep = {"route_id": rid, "segment_id": sid, "side": "left", "source": "auto"}
                _fact(conn, seq, "segment_swept", sweep)
                record_sweep(conn, sweep, f"2024-05-01T08:{n % 60:02d}:00Z", f"op{n % 3}")
            for n, sid in enumerate(ids[::7]):
                seq += 1
                kind = "exception" if n % 2 else "segment_not_swept"
                _fact(conn, seq, kind, {"route_id": rid, "segment_id": sid, "kind": "parked car"})
        c, f = segments["cambridge-C"], segments["cambridge-F"]
        odd: list[tuple[str, Any, dict[str, Any]]] = [
            ("exception", {"route_id": "cambridge-F", "segment_id": c[1]}, {}),  # not F's
            ("exception", {"route_id": "cambridge-C", "kind": "blocked"}, {}),  # no segment
            ("exception", {"route_id": 7, "segment_id": c[0]}, {}),  # route id not text
            ("exception", {"route_id": "cambridge-C", "segment_id": 5}, {}),
            ("exception", {"route_id": "cambridge-C", "segment_id": c[0]}, {"status": "rejected"}),
            ("exception", {"route_id": "cambridge-C", "segment_id": c[0]}, {"stream": "gps"}),
            ("exception", ["cambridge-C", c[0]], {}),  # not an object
            ("exception", '{"route_id": "cambridge-C", "segment_id": ', {}),  # not JSON
            ("note", {"route_id": "cambridge-C", "segment_id": c[0]}, {}),  # not an exception
            ("segment_not_swept", {"route_id": "cambridge-F", "segment_id": f[0]}, {}),
            ("segment_not_swept", {"route_id": "cambridge-F", "segment_id": f[0]}, {}),
            ("exception", {"route_id": "no-such-route", "segment_id": f[0]}, {}),
        ]
        for type_, payload, overrides in odd:
            seq += 1
            _fact(conn, seq, type_, payload, **overrides)
        # Text that must be escaped, and geometry stored other than compactly.
        conn.execute(
            "UPDATE segments SET street = ? WHERE route_id = 'cambridge-C' AND segment_id = ?",
            ('Rue "Ça va" – Ave\\ 1', c[2]),
        )
        conn.execute(
            "UPDATE segments SET coords_json = ? WHERE route_id = 'cambridge-F' AND segment_id = ?",
            ("[[-71.1, 42.3], [-71.10001, 4.23e1]]", f[3]),
        )
    yield database
    database.close()


def test_one_pass_progress_rows_equal_the_per_route_ones(db: Store) -> None:
    with db.read() as conn:
        expected = per_route_progress_rows(conn)
        rows = progress_rows(conn)
    assert rows == expected
    assert sum(r["exceptions"] for r in rows) > 0
    assert any(r["exceptions"] >= 2 for r in rows)  # the doubled "not swept" on F
    assert sum(r["swept"] for r in rows) > 0


def per_route_geojson(conn: Any, rows: list[dict[str, Any]]) -> str:
    """The GeoJSON export as it was written before: parsed geometry, one `json.dumps`."""
    geometry = {
        (r["route_id"], r["segment_id"]): json.loads(r["coords_json"])
        for r in conn.execute("SELECT route_id, segment_id, coords_json FROM segments")
    }
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "LineString",
                "coordinates": geometry.get((row["route_id"], row["segment_id"])),
            },
            "properties": row,
        }
        for row in rows
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def same_text(got: str, expected: str) -> None:
    """Equal, or fail quickly showing where they part (pytest's own diff of two
    megabyte strings takes minutes)."""
    at = next(
        (i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b),
        min(len(got), len(expected)),
    )
    if at < len(got) or at < len(expected):
        pytest.fail(
            f"differ at {at}: {got[at - 60 : at + 60]!r} != {expected[at - 60 : at + 60]!r}"
        )


def test_progress_export_files_are_unchanged_byte_for_byte(db: Store) -> None:
    with db.read() as conn:
        expected = per_route_progress_rows(conn)
        csv_text = export(conn, "progress", "csv")
        geojson = export(conn, "progress", "geojson")
        expected_geojson = per_route_geojson(conn, expected)
    same_text(csv_text, to_csv(expected, _COLUMNS["progress"]))
    same_text(geojson, expected_geojson)
    assert 'Rue \\"Ça va\\" – Ave\\\\ 1' in geojson
    assert "[[-71.1, 42.3], [-71.10001, 42.3]]" in geojson
