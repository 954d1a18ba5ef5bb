"""The tablet keeps its assigned route's tiles: downloaded once, then up to date, capped."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.tiles import RouteTilePrefetcher
from coverage.model import Route
from maps.mbtiles import MBTiles
from maps.prefetch import PrefetchSettings, routes_area
from maps.tilegrid import count_tiles
from server.embedded import EmbeddedServer
from server.settings import Settings
from tests.e2e.live_tablet import cache_assignment, offline_tablet
from tests.maps.tiles_helpers import area_mbtiles

MIN_ZOOM, MAX_ZOOM, MARGIN_M = 13, 16, 150.0


def _route(url: str, tmp_path: Path) -> Route:
    asyncio.run(cache_assignment(url, tmp_path))
    tablet = offline_tablet(url, tmp_path)
    try:
        assert tablet.assignment is not None
        return tablet.assignment.route
    finally:
        tablet.store.close()


def test_route_tiles_are_fetched_once_then_reported_up_to_date(tmp_path: Path) -> None:
    city_tiles = tmp_path / "city.mbtiles"
    settings = Settings(tiles_mbtiles=str(city_tiles))
    with EmbeddedServer(tmp_path / "server.sqlite", seed_demo=True, settings=settings) as url:
        route = _route(url, tmp_path)
        area = routes_area((s.coords for s in route.segments), MARGIN_M)
        area_mbtiles(city_tiles, area, MIN_ZOOM, MAX_ZOOM)
        expected = count_tiles(area, MIN_ZOOM, MAX_ZOOM)
        prefetch_settings = PrefetchSettings(
            url_template=f"{url}/api/v1/tiles/{{z}}/{{x}}/{{y}}.png",
            min_zoom=MIN_ZOOM,
            max_zoom=MAX_ZOOM,
            margin_m=MARGIN_M,
        )
        said: list[str] = []
        prefetcher = RouteTilePrefetcher(tmp_path / "tiles.mbtiles", prefetch_settings, said.append)

        first = asyncio.run(prefetcher.run(route))
        assert first is not None
        assert first.complete
        assert len(first.fetched) == expected
        assert said[0].startswith("Downloading map tiles:")
        assert said[-1] == f"Map tiles ready: {expected:,} downloaded."

        said.clear()
        second = asyncio.run(prefetcher.run(route))
        assert second is not None
        assert second.planned == 0
        assert said == [f"Map tiles up to date ({expected:,} on the tablet)."]

    cache = MBTiles.open_cache(tmp_path / "tiles.mbtiles")
    try:
        assert cache.tile_count() == expected
    finally:
        cache.close()


def test_an_area_above_the_cap_is_refused_with_a_message(tmp_path: Path) -> None:
    with EmbeddedServer(tmp_path / "server.sqlite", seed_demo=True) as url:
        route = _route(url, tmp_path)
    said: list[str] = []
    prefetcher = RouteTilePrefetcher(
        tmp_path / "tiles.mbtiles",
        PrefetchSettings(url_template="https://tiles.invalid/{z}/{x}/{y}.png", max_tiles=10),
        said.append,
    )
    assert asyncio.run(prefetcher.run(route)) is None
    (message,) = said
    assert "more than the limit of 10" in message
