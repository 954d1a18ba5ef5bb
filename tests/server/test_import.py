"""Route import from the real shared layers (copied into tests/data, see
PROVENANCE_routes.md): presets, field mapping, CRS handling, and all-or-nothing."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from server.db import Database
from server.dbapi import Store
from server.importer import RouteImportError, import_routes, mapping_for
from server.plans import put_assignment
from server.stores import is_postgres_url
from tests.conftest import REPO
from tests.server.conftest import NewStore
from tests.server.helpers import opened, store_option

DATA = REPO / "tests" / "data"
CAMBRIDGE = DATA / "cambridge_centerlines_with_sweep_district.geojson"
WATERLOO = DATA / "waterloo_uw_uptown_2017_roads.geojson"


@pytest.fixture(scope="module")
def cambridge() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CAMBRIDGE.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def waterloo() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WATERLOO.read_text(encoding="utf-8"))
    return data


def _counts(store: Store) -> tuple[int, int]:
    with store.read() as conn:
        routes = conn.execute("SELECT COUNT(*) FROM routes").fetchone()[0]
        segments = conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
    return int(routes), int(segments)


def test_cambridge_preset_makes_one_route_per_sweep_district(
    store: Store, cambridge: dict[str, Any]
) -> None:
    with store.write() as conn:
        summary = import_routes(conn, cambridge, mapping_for("cambridge"))
    assert len(summary.routes) == 10
    assert summary.skipped == 369  # centrelines outside every district
    # One MultiLineString centreline becomes two segments.
    assert summary.segments == 2643 - 369 + 1
    with store.read() as conn:
        rows = dict(
            conn.execute("SELECT route_id, COUNT(*) FROM segments GROUP BY route_id").fetchall()
        )
        route = conn.execute("SELECT name FROM routes WHERE id = 'cambridge-A'").fetchone()
        one_way = conn.execute(
            "SELECT oneway, coords_json FROM segments WHERE segment_id = 'Cambrid_St_29'"
        ).fetchone()
    assert rows["cambridge-A"] == 337
    assert rows["cambridge-F"] == 137
    assert route[0] == "Cambridge district A"
    assert one_way["oneway"] == 0  # Direction 0: two-way


def test_osm_preset_with_one_named_route_and_a_highway_exclusion(
    store: Store, waterloo: dict[str, Any]
) -> None:
    mapping = mapping_for("osm", exclude=["highway=service"])
    with store.write() as conn:
        summary = import_routes(
            conn, waterloo, mapping, route_id="uptown", route_name="Uptown streets"
        )
    assert summary.routes == ("uptown",)
    assert summary.excluded == 311
    assert summary.segments == 444 - 311
    with store.read() as conn:
        dorset = conn.execute(
            "SELECT street, lanes, oneway FROM segments WHERE segment_id = '23156769'"
        ).fetchone()
    assert tuple(dorset) == ("Dorset Street", 1, 1)


def _as_kitchener(waterloo: dict[str, Any]) -> dict[str, Any]:
    """The Kitchener Roads schema on real Waterloo geometry: the City's own layer is not
    in the shared data, so its attribute names are put on OSM ways (OWNERSHIP from the
    OSM road class: secondary roads marked provincial to exercise the MTO exclusion)."""
    features = []
    for f in waterloo["features"][:80]:
        p = f["properties"]
        features.append(
            {
                "type": "Feature",
                "geometry": f["geometry"],
                "properties": {
                    "ROADSEGMENTID": 100000 + p["osm_way_id"] % 100000,
                    "OWNERSHIP": "MTO" if p["highway"] == "secondary" else "City",
                    "CATEGORY": p["highway"].upper(),
                    "LANES": int(p["lanes"] or 2),
                    "Shape__Length": 0,
                    "STREET": p["name"],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def test_kitchener_preset_excludes_provincial_mto_roads(
    store: Store, waterloo: dict[str, Any]
) -> None:
    data = _as_kitchener(waterloo)
    mto = sum(f["properties"]["OWNERSHIP"] == "MTO" for f in data["features"])
    assert mto > 0
    with store.write() as conn:
        summary = import_routes(conn, data, mapping_for("kitchener"), route_id="kitchener-1")
    assert summary.excluded == mto
    assert summary.segments == 80 - mto


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda f: f.update(geometry=None), "has no geometry"),
        (lambda f: f["geometry"].update(type="Point"), "only LineString"),
        (lambda f: f["geometry"].update(coordinates=[[1.0, 2.0]]), "at least two positions"),
        (lambda f: f["geometry"]["coordinates"][0].__setitem__(0, "x"), "not a pair of numbers"),
        (
            lambda f: f["geometry"].update(coordinates=[[-71.1, 42.3], [-71.1, 42.3]]),
            "degenerate",
        ),
        (lambda f: f["geometry"]["coordinates"][0].__setitem__(0, 712345.0), "not longitude"),
        # No store keeps U+0000 alike (PostgreSQL's text cannot hold it): named, not stored.
        (lambda f: f["properties"].update(Street="Main\x00 St"), "its street holds U+0000"),
        (lambda f: f["properties"].update(ID="x\x00y"), "its id holds U+0000"),
        (lambda f: f["properties"].update(sweep_district="C\x00"), "its route holds U+0000"),
    ],
)
def test_a_broken_feature_is_named_and_nothing_is_written(
    store: Store, cambridge: dict[str, Any], breakage: Any, message: str
) -> None:
    data = copy.deepcopy(cambridge)
    broken = data["features"][1500]
    breakage(broken)
    with pytest.raises(RouteImportError) as raised, store.write() as conn:
        import_routes(conn, data, mapping_for("cambridge"))
    text = str(raised.value)
    assert f"feature 1500 (id {broken['properties']['ID']!r})" in text
    assert message in text
    assert "nothing was imported" in text
    assert _counts(store) == (0, 0)


def test_an_attribution_no_store_can_keep_is_refused(
    store: Store, waterloo: dict[str, Any]
) -> None:
    data = {**waterloo, "attribution": "© OSM\x00"}
    with pytest.raises(RouteImportError, match=r"attribution holds U\+0000"), store.write() as conn:
        import_routes(conn, data, mapping_for("osm"), route_id="uptown")
    assert _counts(store) == (0, 0)


def test_declared_crs_is_converted_or_refused(store: Store, cambridge: dict[str, Any]) -> None:
    import math

    data = copy.deepcopy(cambridge)
    data["features"] = data["features"][:40]
    original = list(data["features"][0]["geometry"]["coordinates"][0])
    radius = 6_378_137.0
    for feature in data["features"]:
        geometry = feature["geometry"]
        lines = geometry["coordinates"]
        if geometry["type"] == "LineString":
            lines = [lines]
        for line in lines:
            for position in line:
                lon, lat = position[0], position[1]
                position[0] = math.radians(lon) * radius
                position[1] = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * radius
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    with store.write() as conn:
        import_routes(conn, data, mapping_for("cambridge"))
    with store.read() as conn:
        row = conn.execute(
            "SELECT coords_json FROM segments WHERE segment_id = ?",
            (data["features"][0]["properties"]["ID"],),
        ).fetchone()
    first = json.loads(row[0])[0]
    assert first == pytest.approx(original, abs=1e-6)
    data["crs"] = {"type": "name", "properties": {"name": "EPSG:2249"}}
    with pytest.raises(RouteImportError, match=r"EPSG:2249.*reproject"), store.write() as conn:
        import_routes(conn, data, mapping_for("cambridge", route_prefix="other-"))


def test_existing_route_needs_replace_which_bumps_its_assignments(
    store: Store, waterloo: dict[str, Any]
) -> None:
    mapping = mapping_for("osm")
    with store.write() as conn:
        import_routes(conn, waterloo, mapping, route_id="uptown")
        conn.execute(
            "INSERT INTO users(username, password_hash, role, display_name)"
            " VALUES ('op', 'x', 'operator', 'Op')"
        )
        put_assignment(
            conn,
            assignment_id="a1",
            date="2024-05-01",
            operator="op",
            device_id="t1",
            vehicle="V",
            route_id="uptown",
        )
    with pytest.raises(RouteImportError, match="--replace"), store.write() as conn:
        import_routes(conn, waterloo, mapping, route_id="uptown")
    smaller = {**waterloo, "features": waterloo["features"][:10]}
    with store.write() as conn:
        summary = import_routes(conn, smaller, mapping, route_id="uptown", replace_existing=True)
    assert summary.replaced == ("uptown",)
    assert _counts(store) == (1, 10)
    with store.read() as conn:
        assert conn.execute("SELECT version FROM assignments").fetchone()[0] == 2


def test_command_line_import_and_admin(tmp_path: Path, new_store: NewStore) -> None:
    target = new_store()

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "server", *args, *store_option(target)],
            cwd=REPO,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    done = run("import-routes", str(CAMBRIDGE), "--preset", "cambridge")
    assert done.returncode == 0, done.stderr
    assert "imported 10 route(s), 2275 segment(s)" in done.stdout
    again = run("import-routes", str(CAMBRIDGE), "--preset", "cambridge")
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert "Traceback" not in again.stderr
    assert (
        run(
            "add-user", "op1", "--role", "operator", "--password-stdin", stdin="op1-password\n"
        ).returncode
        == 0
    )
    assert run("add-device", "tab-1", "--vehicle", "Sweeper 1").returncode == 0
    assigned = run(
        "assign",
        "--date",
        "2024-05-01",
        "--operator",
        "op1",
        "--device",
        "tab-1",
        "--route",
        "cambridge-C",
    )
    assert assigned.returncode == 0, assigned.stderr
    listed = [json.loads(line) for line in run("list-assignments").stdout.splitlines()]
    assert [(a["operator"], a["route_id"], a["vehicle"]) for a in listed] == [
        ("op1", "cambridge-C", "Sweeper 1")
    ]
    with opened(target) as db:
        assert _counts(db) == (10, 2275)
    backup = tmp_path / "copy.db"
    copied = run("backup", str(backup))
    if is_postgres_url(target):  # backed up with pg_dump (test_pg_backup.py): it says so
        assert copied.returncode == 1
        assert "pg_dump" in copied.stderr
        assert "Traceback" not in copied.stderr
        assert not backup.exists()
    else:
        assert copied.returncode == 0, copied.stderr
        with Database(backup).read() as conn:
            assert conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0] == 2275
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
