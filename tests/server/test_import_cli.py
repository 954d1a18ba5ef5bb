"""Route import through `python -m server`, the way a city's IT runs it on a layer this
project has never seen: route ids every command accepts, misspelt field options named,
attribution only from the file or `--attribution`, every command in `--help`.

The layer is the real Cambridge MA centrelines (tests/data, PROVENANCE_routes.md) with
the route property written the way other cities name routes ("Route 2", with a space).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from server.dbapi import Store
from server.importer import RouteImportError, import_routes, mapping_for
from server.plans import PlannedRoute, PlannedSegment, insert_route
from tests.conftest import REPO
from tests.server.conftest import NewStore
from tests.server.helpers import opened, store_option

CAMBRIDGE = REPO / "tests" / "data" / "cambridge_centerlines_with_sweep_district.geojson"
FEATURES = 120


@pytest.fixture(scope="module")
def layer() -> dict[str, Any]:
    """The first centrelines that have a district, each with `Route` = "Route N"."""
    data = json.loads(CAMBRIDGE.read_text(encoding="utf-8"))
    kept = [f for f in data["features"] if f["properties"].get("sweep_district")][:FEATURES]
    for feature in kept:
        district = feature["properties"]["sweep_district"]
        feature["properties"]["Route"] = f"Route {ord(district) - ord('A') + 1}"
    return {"type": "FeatureCollection", "features": kept}


@pytest.fixture
def layer_file(tmp_path: Path, layer: dict[str, Any]) -> Path:
    path = tmp_path / "unseen_city.geojson"
    path.write_text(json.dumps(layer), encoding="utf-8")
    return path


def run(db: str | Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", *args, *store_option(db)],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _routes(db: str | Path) -> dict[str, dict[str, Any]]:
    with opened(db) as database, database.read() as conn:
        return {r["id"]: dict(r) for r in conn.execute("SELECT id, name, attribution FROM routes")}


def _operator_and_device(db: str | Path) -> None:
    added = run(db, "add-user", "op1", "--role", "operator", "--password-stdin", stdin="op1-pass\n")
    assert added.returncode == 0, added.stderr
    assert run(db, "add-device", "tab-1", "--vehicle", "Sweeper 1").returncode == 0


def test_route_ids_from_values_with_spaces_are_ones_assign_accepts(
    new_store: NewStore, layer_file: Path
) -> None:
    db = new_store()
    done = run(
        db, "import-routes", str(layer_file), "--id-field", "ID", "--route-field", "Route",
        "--route-prefix", "syr-", "--street-field", "Street",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    routes = _routes(db)
    assert "syr-Route-2" in routes
    assert all(" " not in rid for rid in routes)
    assert routes["syr-Route-2"]["name"] == "Route 2"
    # The user is told the id to use in every later command.
    assert "syr-Route-2" in done.stdout
    _operator_and_device(db)
    assigned = run(
        db, "assign", "--date", "2024-05-01", "--operator", "op1", "--device", "tab-1",
        "--route", "syr-Route-2",
    )  # fmt: skip
    assert assigned.returncode == 0, assigned.stderr
    assert json.loads(assigned.stdout)["route_id"] == "syr-Route-2"


def test_a_route_stored_with_a_space_can_still_be_assigned(new_store: NewStore) -> None:
    """A database imported before ids were made safe: `assign` derives a safe default
    assignment id from the route id instead of refusing its own default."""
    db = new_store()
    segment = PlannedSegment("s1", "Main St", 10.0, 1, False, ((-71.1, 42.37), (-71.1, 42.371)))
    with opened(db) as database:
        database.migrate()
        with database.write() as conn:
            insert_route(conn, PlannedRoute("syr-Route 2", "Route 2", (segment,), ""))
    _operator_and_device(db)
    assigned = run(
        db, "assign", "--date", "2024-05-01", "--operator", "op1", "--device", "tab-1",
        "--route", "syr-Route 2",
    )  # fmt: skip
    assert assigned.returncode == 0, assigned.stderr
    answer = json.loads(assigned.stdout)
    assert answer["id"] == "asg-2024-05-01-syr-Route-2"
    assert answer["route_id"] == "syr-Route 2"
    assert run(db, "unassign", answer["id"]).returncode == 0


def test_two_route_values_that_make_the_same_id_are_refused(
    store: Store, layer: dict[str, Any]
) -> None:
    data = json.loads(json.dumps(layer))
    for n, feature in enumerate(data["features"]):
        feature["properties"]["Route"] = "Route 2" if n % 2 else "Route/2"
    mapping = mapping_for(None, id_field="ID", route_field="Route")
    with pytest.raises(RouteImportError) as raised, store.write() as conn:
        import_routes(conn, data, mapping)
    assert "'Route 2'" in str(raised.value)
    assert "'Route/2'" in str(raised.value)
    assert "Route-2" in str(raised.value)


@pytest.mark.parametrize(
    ("option", "misspelt"),
    [
        ("--lanes-field", "LANE"),
        ("--route-field", "route"),
        ("--street-field", "Streeet"),
        ("--oneway-field", "Dir"),
        ("--id-field", "Id"),
    ],
)
def test_a_field_option_matching_no_property_names_it_and_the_fields_there_are(
    new_store: NewStore, layer_file: Path, option: str, misspelt: str
) -> None:
    args = {"--id-field": "ID", "--route-field": "Route", option: misspelt}
    flat = [text for pair in args.items() for text in pair]
    db = new_store()
    done = run(db, "import-routes", str(layer_file), *flat)
    assert done.returncode == 1, done.stdout
    assert f"{option} {misspelt!r}" in done.stderr
    assert "matches no property" in done.stderr
    for existing in ("ID", "Street", "Direction", "Route", "sweep_district"):
        assert existing in done.stderr
    assert "Traceback" not in done.stderr
    assert _routes(db) == {}


def test_an_exclude_on_a_field_that_does_not_exist_is_an_error(
    store: Store, layer: dict[str, Any]
) -> None:
    mapping = mapping_for(None, id_field="ID", route_field="Route", exclude=["OWNER=MTO"])
    match = r"--exclude 'OWNER' matches no property"
    with pytest.raises(RouteImportError, match=match), store.write() as conn:
        import_routes(conn, layer, mapping)


def test_a_preset_never_stamps_its_attribution_on_other_data(
    tmp_path: Path, new_store: NewStore, layer_file: Path, layer: dict[str, Any]
) -> None:
    db = new_store()
    done = run(
        db, "import-routes", str(layer_file), "--preset", "osm", "--id-field", "ID",
        "--route-id", "not-osm",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _routes(db)["not-osm"]["attribution"] == ""
    assert "--attribution" in done.stdout  # says the routes carry none, and how to add it
    # The file's own notice is used; an explicit option wins over it.
    sourced = tmp_path / "sourced.geojson"
    sourced.write_text(json.dumps({**layer, "attribution": "City GIS, PDDL 1.0"}), "utf-8")
    assert run(db, "import-routes", str(sourced), "--preset", "osm", "--id-field", "ID",
               "--route-id", "sourced").returncode == 0  # fmt: skip
    assert run(db, "import-routes", str(sourced), "--preset", "osm", "--id-field", "ID",
               "--route-id", "explicit", "--attribution", "Given").returncode == 0  # fmt: skip
    routes = _routes(db)
    assert routes["sourced"]["attribution"] == "City GIS, PDDL 1.0"
    assert routes["explicit"]["attribution"] == "Given"


def test_help_lists_every_command() -> None:
    from server.__main__ import COMMANDS

    shown = subprocess.run(
        [sys.executable, "-m", "server", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    for command in COMMANDS:
        assert f"\n  {command}" in shown, f"{command} is missing from --help"


def test_a_route_value_with_no_letter_or_digit_is_refused_by_name(
    store: Store, layer: dict[str, Any]
) -> None:
    data = json.loads(json.dumps(layer))
    data["features"][3]["properties"]["Route"] = "/"
    mapping = mapping_for(None, id_field="ID", route_field="Route")
    match = r"route '/' makes no usable id"
    with pytest.raises(RouteImportError, match=match), store.write() as conn:
        import_routes(conn, data, mapping)
