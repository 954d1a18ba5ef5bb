"""`python -m server import-routes FILE`: the field options and the run.

Kept apart from the other commands because its options are the importer's whole field
mapping; each one named here must exist in the file (`server.import_mapping`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from server.dbapi import Store
from server.import_mapping import PRESETS
from server.importer import import_routes, load_geojson, mapping_for


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="GeoJSON FeatureCollection of streets")
    parser.add_argument("--preset", choices=sorted(PRESETS), help="a known layer's schema")
    parser.add_argument("--route-id", help="the one route of a file without a route field")
    parser.add_argument("--route-name", help="display name of that route")
    parser.add_argument("--route-field", help="property naming each feature's route")
    parser.add_argument("--route-prefix", help="prefix for route ids from --route-field")
    parser.add_argument("--id-field", help="property holding the segment id")
    parser.add_argument("--street-field", help="property holding the street name")
    parser.add_argument("--lanes-field", help="property holding the lane count")
    parser.add_argument("--oneway-field", help="property holding the one-way flag")
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="FIELD=VALUE[,VALUE]",
        help="leave out features with this value (repeatable)",
    )
    parser.add_argument(
        "--attribution",
        help="licence notice shown with the routes (default: the one the file declares)",
    )
    parser.add_argument("--replace", action="store_true", help="replace existing routes")


def import_file(db: Store, args: argparse.Namespace) -> None:
    """Import the file in one transaction and print what was imported, with route ids."""
    mapping = mapping_for(
        args.preset,
        id_field=args.id_field,
        street_field=args.street_field,
        lanes_field=args.lanes_field,
        oneway_field=args.oneway_field,
        route_field=args.route_field,
        route_prefix=args.route_prefix,
        exclude=args.exclude,
        attribution=args.attribution,
    )
    data = load_geojson(args.file)
    with db.write() as conn:
        summary = import_routes(
            conn,
            data,
            mapping,
            route_id=args.route_id,
            route_name=args.route_name,
            replace_existing=args.replace,
        )
    print(summary.describe())
