"""MBTiles reading and writing: TMS rows, the bundled basemap, bad files, the tile stack."""

from __future__ import annotations

import sqlite3

import pytest

from maps.assets import BASEMAP_MBTILES, parse_tile_path
from maps.mbtiles import MBTiles, TileStack, TileStoreError, image_mime, tms_row
from tests.maps.tiles_helpers import png_tile, write_mbtiles


def test_bundled_basemap_is_read_with_the_row_flipped():
    basemap = MBTiles.open_readonly(BASEMAP_MBTILES)
    raw = sqlite3.connect(BASEMAP_MBTILES)
    # XYZ 6/17/23 (Kitchener-Waterloo, Toronto) is TMS row 63 - 23 = 40.
    (stored,) = raw.execute(
        "SELECT tile_data FROM tiles WHERE zoom_level=6 AND tile_column=17 AND tile_row=40"
    ).fetchone()
    raw.close()
    assert basemap.get_tile(6, 17, 23) == stored
    assert image_mime(stored) == "image/png"
    assert basemap.get_tile(6, 17, 40) is None  # the unflipped row is not in the subset
    assert basemap.get_tile(6, 64, 0) is None  # outside the grid
    assert basemap.metadata()["attribution"] == "© OpenStreetMap contributors"


def test_tms_row_flip_is_its_own_inverse():
    assert tms_row(0, 0) == 0
    assert tms_row(3, 0) == 7
    assert all(tms_row(5, tms_row(5, y)) == y for y in range(32))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(TileStoreError, match=r"map tiles file .*nothere.mbtiles is missing"):
        MBTiles.open_readonly(tmp_path / "nothere.mbtiles")


def test_corrupt_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.mbtiles"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(TileStoreError, match="damaged or not an MBTiles file"):
        MBTiles.open_readonly(bad)
    with pytest.raises(TileStoreError, match="cannot be used"):
        MBTiles.open_cache(bad)
    assert bad.read_bytes().startswith(b"this is not sqlite")  # never overwritten


def test_sqlite_without_tiles_is_not_an_mbtiles_file(tmp_path):
    other = tmp_path / "other.mbtiles"
    sqlite3.connect(other).execute("CREATE TABLE t (a)").connection.close()
    with pytest.raises(TileStoreError, match="no tiles table"):
        MBTiles.open_readonly(other)


def test_cache_round_trip_and_age(tmp_path):
    cache = MBTiles.open_cache(tmp_path / "sub" / "cache.mbtiles")
    data = png_tile()
    cache.put_tile(14, 4527, 5991, data, fetched_at=1000.0)
    cache.put_tile(14, 4528, 5991, data, fetched_at=2000.0)
    assert cache.get_tile(14, 4527, 5991) == data
    assert cache.fetched_at([(14, 4527, 5991), (14, 4528, 5991), (14, 1, 1)]) == {
        (14, 4527, 5991): 1000.0,
        (14, 4528, 5991): 2000.0,
    }
    cache.put_tile(14, 4527, 5991, data, fetched_at=3000.0)  # replaced, not duplicated
    assert cache.tile_count() == 2
    assert cache.average_tile_bytes() == len(data)
    cache.close()
    # A standard reader sees an ordinary MBTiles file with TMS rows.
    reader = MBTiles.open_readonly(tmp_path / "sub" / "cache.mbtiles")
    assert reader.get_tile(14, 4528, 5991) == data
    with pytest.raises(TileStoreError, match="read-only"):
        reader.put_tile(1, 0, 0, data)


def test_stack_prefers_the_cache_and_keeps_going_past_broken_sources(tmp_path):
    cache_tile, base_tile = png_tile((1, 2, 3)), png_tile((4, 5, 6))
    cache = tmp_path / "cache.mbtiles"
    MBTiles.open_cache(cache).put_tile(2, 1, 1, cache_tile)
    base = write_mbtiles(tmp_path / "base.mbtiles", [(2, 1, 1, base_tile), (2, 2, 2, base_tile)])
    stack = TileStack.open(cache=cache, basemap=base)
    assert stack.get_tile(2, 1, 1) == cache_tile
    assert stack.get_tile(2, 2, 2) == base_tile
    assert stack.get_tile(2, 3, 3) is None
    assert stack.problems == []

    broken = tmp_path / "broken.mbtiles"
    broken.write_bytes(b"\x00" * 4096)
    stack = TileStack.open(cache=broken, basemap=tmp_path / "gone.mbtiles")
    assert stack.get_tile(0, 0, 0) is None
    assert len(stack.problems) == 2
    assert "cannot be used" in stack.problems[0]
    assert "is missing" in stack.problems[1]


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (png_tile(), "image/png"),
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"<html>captive portal</html>", None),
        (b"", None),
    ],
)
def test_image_mime_judges_by_content(data, mime):
    assert image_mime(data) == mime


@pytest.mark.parametrize(
    ("path", "tile"),
    [
        ("14/4527/5991.png", (14, 4527, 5991)),
        ("0/0/0.png", (0, 0, 0)),
        ("0/1/0.png", None),
        ("14/4527/5991.jpg", None),
        ("14/-1/5991.png", None),
        ("14/../5991.png", None),
        ("14/4527/5991.png/x", None),
        ("99/0/0.png", None),
        ("１/0/0.png", None),
    ],
)
def test_tile_path_parsing(path, tile):
    assert parse_tile_path(path) == tile
