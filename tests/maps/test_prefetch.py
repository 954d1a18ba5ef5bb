"""Prefetch of the demo route's area from the reference server on loopback into a cache."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from maps.mbtiles import MBTiles
from maps.prefetch import (
    PrefetchError,
    PrefetchPlan,
    PrefetchProgress,
    PrefetchResult,
    PrefetchSettings,
    TooManyTilesError,
    plan_prefetch,
    prefetch,
    routes_area,
)
from maps.tilegrid import BBox, count_tiles, tiles_in
from server.embedded import EmbeddedServer
from server.settings import Settings
from tests.maps.tiles_helpers import area_mbtiles, demo_route_lines, png_tile

MIN_ZOOM, MAX_ZOOM = 13, 17
MARGIN_M = 200.0


@dataclass
class TileServer:
    server: EmbeddedServer
    area: BBox
    tiles_path: Path

    @property
    def template(self) -> str:
        return f"{self.server.url}/api/v1/tiles/{{z}}/{{x}}/{{y}}.png"

    def settings(self, **overrides: object) -> PrefetchSettings:
        values: dict[str, object] = {
            "url_template": self.template,
            "min_zoom": MIN_ZOOM,
            "max_zoom": MAX_ZOOM,
            "margin_m": MARGIN_M,
        }
        values.update(overrides)
        return PrefetchSettings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TileServer]:
    folder = tmp_path_factory.mktemp("tileserver")
    tiles_path = folder / "city_tiles.mbtiles"
    server = EmbeddedServer(
        folder / "server.db", seed_demo=True, settings=Settings(tiles_mbtiles=str(tiles_path))
    )
    server.start()
    # The tile file is read per request, so it can be written once the route is known.
    area = routes_area(demo_route_lines(server.url), MARGIN_M)
    area_mbtiles(tiles_path, area, MIN_ZOOM, MAX_ZOOM)
    yield TileServer(server, area, tiles_path)
    server.stop()


def run_prefetch(
    plan: PrefetchPlan,
    cache: MBTiles,
    settings: PrefetchSettings,
    requested: list[str],
    progress: list[PrefetchProgress] | None = None,
    cut_after: int | None = None,
) -> PrefetchResult | None:
    """Run a prefetch, recording every URL requested; cancel it after `cut_after` tiles."""

    async def main() -> PrefetchResult | None:
        async def record(request: httpx.Request) -> None:
            requested.append(str(request.url))

        async with httpx.AsyncClient(
            timeout=10, trust_env=False, event_hooks={"request": [record]}
        ) as client:
            task: asyncio.Task[PrefetchResult] | None = None

            def on_progress(p: PrefetchProgress) -> None:
                if progress is not None:
                    progress.append(p)
                if cut_after is not None and p.done >= cut_after and task is not None:
                    task.cancel()

            task = asyncio.ensure_future(
                prefetch(plan, cache, settings, client=client, progress=on_progress)
            )
            try:
                return await task
            except asyncio.CancelledError:
                return None

    return asyncio.run(main())


def url_tile(url: str) -> tuple[int, int, int]:
    z, x, y = url.rsplit("/api/v1/tiles/", 1)[1].removesuffix(".png").split("/")
    return int(z), int(x), int(y)


def test_prefetch_fetches_exactly_the_estimated_tiles(tile_server, tmp_path):
    settings = tile_server.settings()
    cache = MBTiles.open_cache(tmp_path / "cache.mbtiles")
    plan = plan_prefetch(tile_server.area, cache, settings)
    expected = set(tiles_in(tile_server.area, MIN_ZOOM, MAX_ZOOM))
    assert plan.total == len(expected) == count_tiles(tile_server.area, MIN_ZOOM, MAX_ZOOM)
    assert set(plan.to_fetch) == expected
    assert plan.already_fresh == 0
    assert plan.estimated_bytes == settings.assumed_tile_bytes * plan.total
    assert "to download" in plan.describe()

    requested: list[str] = []
    progress: list[PrefetchProgress] = []
    result = run_prefetch(plan, cache, settings, requested, progress)

    assert result is not None
    assert result.complete, result.describe()
    assert sorted(url_tile(u) for u in requested) == sorted(expected)
    assert set(result.fetched) == expected
    assert cache.tile_count() == len(expected)
    assert all(cache.get_tile(*t) == png_tile() for t in expected)
    assert [p.done for p in progress][-1] == len(expected)
    assert [p.done for p in progress[:-1]] == list(range(1, len(expected) + 1))
    assert result.bytes == len(png_tile()) * len(expected)
    # Planned again: nothing left to do, and the size estimate now uses real tile sizes.
    again = plan_prefetch(tile_server.area, cache, settings)
    assert again.to_fetch == ()
    assert again.already_fresh == len(expected)


def test_cut_prefetch_resumes_where_it_stopped(tile_server, tmp_path):
    settings = tile_server.settings(concurrency=2)
    cache_path = tmp_path / "cache.mbtiles"
    cache = MBTiles.open_cache(cache_path)
    plan = plan_prefetch(tile_server.area, cache, settings)
    first: list[str] = []
    assert run_prefetch(plan, cache, settings, first, cut_after=40) is None
    cache.close()

    cache = MBTiles.open_cache(cache_path)  # as after a restart
    stored = cache.tile_count()
    assert 40 <= stored < plan.total
    resumed = plan_prefetch(tile_server.area, cache, settings)
    assert len(resumed.to_fetch) == plan.total - stored
    assert resumed.estimated_bytes == len(png_tile()) * len(resumed.to_fetch)

    second: list[str] = []
    result = run_prefetch(resumed, cache, settings, second)
    assert result is not None
    assert result.complete
    assert {url_tile(u) for u in second} == set(resumed.to_fetch)
    assert cache.tile_count() == plan.total
    assert set(cache.fetched_at(plan.to_fetch)) == set(plan.to_fetch)


def test_cap_refuses_before_downloading_with_a_clear_message(tile_server, tmp_path):
    total = count_tiles(tile_server.area, MIN_ZOOM, MAX_ZOOM)
    cache = MBTiles.open_cache(tmp_path / "cache.mbtiles")
    with pytest.raises(TooManyTilesError) as caught:
        plan_prefetch(tile_server.area, cache, tile_server.settings(max_tiles=total - 1))
    message = str(caught.value)
    assert f"{total:,} map tiles" in message
    assert f"limit of {total - 1:,}" in message
    assert "Nothing was downloaded" in message
    assert cache.tile_count() == 0
    # The default cap (50,000) refuses street zoom over a whole region at once.
    region = BBox(-80.7, 43.3, -80.2, 43.6)
    with pytest.raises(TooManyTilesError, match="more than the limit of 50,000"):
        plan_prefetch(region, cache, tile_server.settings(max_zoom=18))
    assert plan_prefetch(tile_server.area, cache, tile_server.settings(max_tiles=total)).total == (
        total
    )


def test_tiles_older_than_max_age_are_refreshed(tile_server, tmp_path):
    settings = tile_server.settings(max_age_s=3600)
    cache = MBTiles.open_cache(tmp_path / "cache.mbtiles")
    tiles = list(tiles_in(tile_server.area, MIN_ZOOM, MAX_ZOOM))
    now = 1_800_000_000.0
    old, fresh = tiles[: len(tiles) // 2], tiles[len(tiles) // 2 :]
    stale_bytes = png_tile((10, 10, 200))
    for t in old:
        cache.put_tile(*t, stale_bytes, fetched_at=now - 7200)
    for t in fresh:
        cache.put_tile(*t, stale_bytes, fetched_at=now - 60)
    plan = plan_prefetch(tile_server.area, cache, settings, now=now)
    assert set(plan.to_fetch) == set(old)
    assert plan.stale == len(old)
    assert plan.already_fresh == len(fresh)

    result = run_prefetch(plan, cache, settings, [])
    assert result is not None
    assert result.complete
    assert all(cache.get_tile(*t) == png_tile() for t in old)
    assert all(cache.get_tile(*t) == stale_bytes for t in fresh)


def test_server_errors_and_non_images_are_reported_not_stored(tile_server, tmp_path):
    settings = tile_server.settings(min_zoom=18, max_zoom=18)  # the server has no z18
    cache = MBTiles.open_cache(tmp_path / "cache.mbtiles")
    small = BBox(-80.5230, 43.4650, -80.5225, 43.4653)
    plan = plan_prefetch(small, cache, settings)
    result = run_prefetch(plan, cache, settings, [])
    assert result is not None
    assert not result.complete
    assert set(result.failed.values()) == {"server answered HTTP 404"}
    assert cache.tile_count() == 0
    assert "could not be" in result.describe()
    assert "HTTP 404" in result.describe()


def test_non_image_tiles_from_the_server_are_not_stored(tmp_path):
    area = BBox(-80.5230, 43.4650, -80.5225, 43.4653)
    tiles_path = area_mbtiles(tmp_path / "bad.mbtiles", area, 16, 16, b"<html>portal</html>")
    with EmbeddedServer(
        tmp_path / "server.db", seed_demo=False, settings=Settings(tiles_mbtiles=str(tiles_path))
    ) as url:
        settings = PrefetchSettings(
            url_template=f"{url}/api/v1/tiles/{{z}}/{{x}}/{{y}}.png", min_zoom=16, max_zoom=16
        )
        cache = MBTiles.open_cache(tmp_path / "cache.mbtiles")
        plan = plan_prefetch(area, cache, settings)
        result = run_prefetch(plan, cache, settings, [])
    assert result is not None
    assert result.fetched == []
    assert set(result.failed.values()) == {"server sent something that is not an image"}
    assert cache.tile_count() == 0


def test_unreachable_server_is_a_clear_error_and_keeps_what_was_stored(tmp_path):
    server = EmbeddedServer(tmp_path / "server.db", seed_demo=False)
    server.start()
    server.stop()  # the port is known and nothing listens on it any more
    settings = PrefetchSettings(
        url_template=f"{server.url}/api/v1/tiles/{{z}}/{{x}}/{{y}}.png", min_zoom=15, max_zoom=15
    )
    cache = MBTiles.open_cache(tmp_path / "cache.mbtiles")
    area = BBox(-80.5230, 43.4650, -80.5225, 43.4653)
    plan = plan_prefetch(area, cache, settings)
    with pytest.raises(PrefetchError, match="stopped answering") as caught:
        run_prefetch(plan, cache, settings, [])
    assert "kept" in str(caught.value)
    assert "resumes" in str(caught.value)


@pytest.mark.parametrize(
    "template",
    [
        "ftp://tiles.example/{z}/{x}/{y}.png",
        "http://tiles.example/{z}/{x}.png",
        "sweepline://app/tiles/{z}/{x}/{y}.png",
    ],
)
def test_tile_source_template_is_checked(template):
    with pytest.raises(ValueError, match="tile source"):
        PrefetchSettings(url_template=template)
