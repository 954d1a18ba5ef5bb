"""The map with no network: bundled basemap, street context, cached tiles, bad tile input.

Every request the page makes goes through the `sweepline:` scheme; the request blocker
records anything else, and each test asserts it recorded nothing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtGui import QImage

from maps.assets import BASEMAP_MBTILES
from maps.mbtiles import MBTiles, TileStack
from maps.prefetch import PrefetchSettings, plan_prefetch, prefetch, routes_area
from server.embedded import EmbeddedServer
from server.settings import Settings
from tests.maps.tiles_helpers import TILE_COLOUR, area_mbtiles, demo_route_lines
from tests.ui.conftest import delete_widget, run_js, statuses_for, wait_for_map, waterloo_route
from ui.map_view import MapView

SCREENSHOTS = Path("/tmp")


def js_stat(qtbot, view: MapView, name: str):
    return run_js(qtbot, view, f"window.sweepline.stats.{name}")


def colour_share(image: QImage, rgb: tuple[int, int, int]) -> float:
    """Fraction of sampled pixels (every 4th in each direction) of exactly `rgb`."""
    hits = total = 0
    for x in range(0, image.width(), 4):
        for y in range(0, image.height(), 4):
            c = image.pixelColor(x, y)
            total += 1
            hits += (c.red(), c.green(), c.blue()) == rgb
    return hits / total


def settle(qtbot, view: MapView) -> None:
    """Wait until the page has painted (two animation frames after the streets load)."""
    qtbot.wait_until(
        lambda: js_stat(qtbot, view, "streetsRendered") == js_stat(qtbot, view, "streetLoads"),
        timeout=10_000,
    )
    qtbot.wait(300)


def test_basemap_and_streets_render_with_no_network(qtbot):
    view = MapView()
    view.resize(900, 650)
    try:
        wait_for_map(qtbot, view)
        route = waterloo_route()
        view.show_route(route, statuses_for(route))
        qtbot.wait_until(lambda: js_stat(qtbot, view, "routeLoads") == 1)
        streets = js_stat(qtbot, view, "streets")
        assert streets > 30  # the streets around the route, not only its 8 segments
        settle(qtbot, view)
        view.grab().save(str(SCREENSHOTS / "sweepline_map_streets_offline.png"))

        # Zoom out to where the bundled basemap has tiles (it stops at zoom 6).
        run_js(qtbot, view, "(window.sweepline.map.setZoom(6, {animate: false}), true)")
        qtbot.wait_until(lambda: js_stat(qtbot, view, "tilesLoaded") >= 4, timeout=10_000)
        qtbot.wait(300)
        shot = view.grab()
        shot.save(str(SCREENSHOTS / "sweepline_map_basemap_offline.png"))
        served = view.tile_counts[0]
        assert served >= 4
        # Every tile the handler served is shown, and a tile error on the page only ever
        # comes from a tile the tablet lacks (Leaflet does not report the ones it abandoned).
        qtbot.wait_until(lambda: js_stat(qtbot, view, "tilesLoaded") == view.tile_counts[0])
        assert js_stat(qtbot, view, "tileErrors") <= view.tile_counts[1]
        attribution = run_js(
            qtbot, view, 'document.querySelector(".sweepline-attribution").textContent'
        )
        assert "Basemap © OpenStreetMap contributors, ODbL" in attribution
        assert view.blocked_requests == []
        assert view.tile_problems == []
        assert view.problem_banner_text() is None
        assert [m for m in view.console_messages if m[0] != "info"] == []
    finally:
        delete_widget(view)


def test_prefetched_tiles_render_with_the_server_stopped(qtbot, tmp_path):
    tiles_path = tmp_path / "city.mbtiles"
    server = EmbeddedServer(
        tmp_path / "server.db", seed_demo=True, settings=Settings(tiles_mbtiles=str(tiles_path))
    )
    url = server.start()
    try:
        lines = demo_route_lines(url)
        settings = PrefetchSettings(
            url_template=f"{url}/api/v1/tiles/{{z}}/{{x}}/{{y}}.png", min_zoom=13, max_zoom=17
        )
        area = routes_area(lines, settings.margin_m)
        area_mbtiles(tiles_path, area, settings.min_zoom, settings.max_zoom)
        cache = MBTiles.open_cache(tmp_path / "cache.mbtiles")
        plan = plan_prefetch(area, cache, settings)
        result = asyncio.run(prefetch(plan, cache, settings))
        assert result.complete
        assert len(result.fetched) == plan.total
        cache.close()
    finally:
        server.stop()

    view = MapView(tiles=TileStack.open(cache=tmp_path / "cache.mbtiles", basemap=BASEMAP_MBTILES))
    view.resize(900, 650)
    try:
        wait_for_map(qtbot, view)
        route = waterloo_route()
        view.show_route(route, statuses_for(route))
        qtbot.wait_until(lambda: js_stat(qtbot, view, "tilesLoaded") >= 4, timeout=10_000)
        settle(qtbot, view)
        # The cached tiles fill the background once Leaflet's fade-in has finished.
        qtbot.wait_until(
            lambda: colour_share(view.grab().toImage(), TILE_COLOUR) > 0.4, timeout=10_000
        )
        view.grab().save(str(SCREENSHOTS / "sweepline_map_cached_tiles.png"))
        assert view.blocked_requests == []
        assert view.tile_problems == []
    finally:
        delete_widget(view)


def test_bad_tile_files_leave_a_clear_message_and_the_streets(qtbot, tmp_path):
    broken = tmp_path / "cache.mbtiles"
    broken.write_bytes(b"\x00garbage" * 512)
    view = MapView(tiles=TileStack.open(cache=broken, basemap=tmp_path / "missing.mbtiles"))
    view.resize(900, 650)
    try:
        wait_for_map(qtbot, view)
        route = waterloo_route()
        view.show_route(route, statuses_for(route))
        qtbot.wait_until(lambda: js_stat(qtbot, view, "routeLoads") == 1)
        assert js_stat(qtbot, view, "streets") > 30
        settle(qtbot, view)
        view.grab().save(str(SCREENSHOTS / "sweepline_map_bad_tiles.png"))
        banner = view.problem_banner_text()
        assert banner is not None
        assert "cannot be used" in banner
        assert "is missing" in banner
        assert "streets are still drawn" in banner
        assert view.blocked_requests == []
    finally:
        delete_widget(view)


def test_a_cached_tile_that_is_not_an_image_is_refused_and_told(qtbot, tmp_path):
    cache = MBTiles.open_cache(tmp_path / "cache.mbtiles")
    for z, x, y in ((0, 0, 0), (1, 0, 0), (1, 1, 0), (1, 0, 1), (1, 1, 1)):
        cache.put_tile(z, x, y, b"<html>captive portal</html>")
    cache.close()
    view = MapView(tiles=TileStack.open(cache=tmp_path / "cache.mbtiles"))
    view.resize(600, 400)
    try:
        wait_for_map(qtbot, view)
        run_js(qtbot, view, "(window.sweepline.map.setZoom(1, {animate: false}), true)")
        qtbot.wait_until(lambda: bool(view.tile_problems), timeout=10_000)
        assert "is not an image" in view.tile_problems[0]
        assert "not an image" in (view.problem_banner_text() or "")
        assert view.tile_counts[0] == 0
        assert view.blocked_requests == []
    finally:
        delete_widget(view)
