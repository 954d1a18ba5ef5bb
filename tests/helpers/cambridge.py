"""The real Cambridge MA network imported into a server database: the centrelines as
routes (one per sweeping district) and the districts as equity areas."""

from __future__ import annotations

from server.dbapi import Connection
from server.equity import import_areas
from server.importer import import_routes, load_geojson, mapping_for
from tests.conftest import REPO

DATA = REPO / "tests" / "data"


def import_cambridge(conn: Connection) -> None:
    """Import both layers inside the caller's write transaction."""
    import_routes(
        conn,
        load_geojson(DATA / "cambridge_centerlines_with_sweep_district.geojson"),
        mapping_for("cambridge"),
    )
    import_areas(
        conn,
        load_geojson(DATA / "cambridge_sweeping_districts.geojson"),
        name_field="District",
        kind="district",
        id_prefix="district-",
    )
