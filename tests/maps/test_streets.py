"""The street context layer payload and the tile grid arithmetic behind the prefetch."""

from __future__ import annotations

import math

import pytest

from maps.streets import demo_street_features, streets_around, streets_payload
from maps.tilegrid import BBox, count_tiles, tile_x, tile_y, tiles_in

UPTOWN_LINE = [(-80.5239, 43.4660), (-80.5240, 43.4667)]


def test_streets_around_a_route_keep_nearby_streets_and_the_route_itself():
    features = demo_street_features()
    assert len(features) == 444
    payload = streets_around([UPTOWN_LINE], features, margin_m=300)
    assert 20 < len(payload["features"]) < 444
    assert payload["properties"]["attribution"].startswith("© OpenStreetMap")
    far = streets_around([[(-71.11, 42.37), (-71.10, 42.38)]], features, margin_m=300)
    assert len(far["features"]) == 1  # only the route's own line: Waterloo is far away


def test_bad_features_are_skipped_and_counted():
    features = [
        {"geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "properties": {}},
        {"geometry": {"type": "LineString", "coordinates": [[0, 0]]}},
        {"geometry": {"type": "LineString", "coordinates": [[0, math.nan], [1, 1]]}},
        {"geometry": {"type": "LineString", "coordinates": [[500000, 4800000], [1, 1]]}},
        {"geometry": {"type": "Point", "coordinates": [0, 0]}},
        {"geometry": None},
        "not a feature",
        {
            "geometry": {"type": "MultiLineString", "coordinates": [[[0, 0], [1, 1]], [[2, 2]]]},
            "properties": {"Street": "<b>Main</b>"},
        },
    ]
    payload = streets_payload(features)
    assert payload["properties"]["skipped"] == 6
    assert [f["properties"]["name"] for f in payload["features"]] == ["", "<b>Main</b>"]
    assert payload["features"][1]["geometry"]["coordinates"] == [[[0.0, 0.0], [1.0, 1.0]]]


def test_tile_numbers_match_the_slippy_map_convention():
    # Uptown Waterloo at zoom 14 (independently: y = (1 - asinh(tan(lat)) / pi) / 2 * 2**14).
    assert tile_x(-80.5204, 14) == 4527
    assert tile_y(43.4643, 14) == 5991
    assert (tile_x(-180, 0), tile_y(85, 0)) == (0, 0)
    assert tile_x(180, 3) == 7
    assert tile_y(-89, 3) == 7


def test_count_matches_the_listed_tiles_and_margin_grows_the_box():
    box = BBox.around(UPTOWN_LINE)
    grown = box.expanded(300)
    assert grown.north - box.north == pytest.approx(300 / 111_320)
    assert count_tiles(grown, 12, 17) == len(list(tiles_in(grown, 12, 17)))
    assert len(set(tiles_in(grown, 12, 17))) == count_tiles(grown, 12, 17)


@pytest.mark.parametrize(
    "coords", [(10, 0, 5, 1), (0, 10, 1, 5), (math.inf, 0, 1, 1), (-200, 0, 0, 1)]
)
def test_bad_boxes_are_refused(coords):
    with pytest.raises(ValueError, match="box"):
        BBox(*coords)
