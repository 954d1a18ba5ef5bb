"""Prefetch of the assigned routes' area into the on-tablet MBTiles cache, while online.

`plan_prefetch` decides what to fetch before any byte moves: the tiles covering the
routes' bounding box plus a margin over a zoom range, how many are already cached and
fresh, how many bytes the rest will probably take, and refuses plainly above a cap.
`prefetch` then downloads the rest with httpx (a few requests in flight), storing and
committing each tile as it arrives, so a cut download resumes where it stopped and a
refresh that fails keeps the old tile. Tiles that are not images, or that the server
answers with an error, are not stored and are reported by tile.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from maps.mbtiles import MBTiles, TileStoreError, image_mime
from maps.tilegrid import BBox, count_tiles, tiles_in

Tile = tuple[int, int, int]


class PrefetchError(Exception):
    """The prefetch cannot go on; `str(err)` is meant for the operator."""


class TooManyTilesError(PrefetchError):
    """The planned area needs more tiles than the configured cap."""


@dataclass(frozen=True, slots=True)
class PrefetchSettings:
    """Where tiles come from and how much of them the tablet may hold."""

    # `{z}`, `{x}`, `{y}` are replaced; e.g. the reference server's
    # "https://city.example/api/v1/tiles/{z}/{x}/{y}.png".
    url_template: str
    min_zoom: int = 12
    max_zoom: int = 18
    margin_m: float = 300.0
    # About 1 GB of street tiles at typical sizes: a shift's routes need a few thousand.
    max_tiles: int = 50_000
    # City basemaps change slowly; a month-old tile is still a good map.
    max_age_s: float = 30 * 24 * 3600.0
    concurrency: int = 6
    timeout_s: float = 20.0
    # Used for the size estimate until the cache holds tiles to average over.
    assumed_tile_bytes: int = 20_000

    def __post_init__(self) -> None:
        check_url_template(self.url_template)
        if not 0 <= self.min_zoom <= self.max_zoom <= 22:
            raise ValueError(f"zoom range {self.min_zoom}–{self.max_zoom} is not valid (0–22)")
        if self.max_tiles < 1 or self.concurrency < 1:
            raise ValueError("max_tiles and concurrency must be at least 1")


def check_url_template(template: str) -> None:
    """ValueError unless `template` is an http(s) URL with `{z}`, `{x}` and `{y}`."""
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"tile source {template!r} is not an http(s) URL")
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in template]
    if missing:
        raise ValueError(f"tile source {template!r} lacks {', '.join(missing)}")


def tile_url(template: str, z: int, x: int, y: int) -> str:
    return template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))


def routes_area(lines: Iterable[Iterable[tuple[float, float]]], margin_m: float) -> BBox:
    """The bounding box of every (lon, lat) of the given lines, grown by `margin_m`."""
    return BBox.around(pt for line in lines for pt in line).expanded(margin_m)


@dataclass(frozen=True, slots=True)
class PrefetchPlan:
    bbox: BBox
    min_zoom: int
    max_zoom: int
    total: int
    to_fetch: tuple[Tile, ...]
    already_fresh: int
    stale: int
    estimated_bytes: int

    def describe(self) -> str:
        mib = self.estimated_bytes / (1024 * 1024)
        return (
            f"{len(self.to_fetch):,} of {self.total:,} map tiles to download "
            f"(zoom {self.min_zoom}–{self.max_zoom}, about {mib:.1f} MB); "
            f"{self.already_fresh:,} already on the tablet"
        )


def plan_prefetch(
    area: BBox, cache: MBTiles, settings: PrefetchSettings, *, now: float | None = None
) -> PrefetchPlan:
    """What a prefetch of `area` would download; TooManyTilesError above the cap.

    The count is computed before any tile is listed, so an absurd request costs nothing.
    """
    total = count_tiles(area, settings.min_zoom, settings.max_zoom)
    if total > settings.max_tiles:
        raise TooManyTilesError(
            f"The assigned area needs {total:,} map tiles at zoom "
            f"{settings.min_zoom}–{settings.max_zoom}, more than the limit of "
            f"{settings.max_tiles:,}. Nothing was downloaded; lower the highest zoom or "
            "the margin, or raise the limit."
        )
    now = time.time() if now is None else now
    tiles = list(tiles_in(area, settings.min_zoom, settings.max_zoom))
    stored = cache.fetched_at(tiles)
    oldest_fresh = now - settings.max_age_s
    to_fetch = tuple(t for t in tiles if stored.get(t, -1.0) < oldest_fresh)
    stale = sum(1 for t in to_fetch if t in stored)
    average = cache.average_tile_bytes() or float(settings.assumed_tile_bytes)
    return PrefetchPlan(
        bbox=area,
        min_zoom=settings.min_zoom,
        max_zoom=settings.max_zoom,
        total=total,
        to_fetch=to_fetch,
        already_fresh=total - len(to_fetch),
        stale=stale,
        estimated_bytes=round(average * len(to_fetch)),
    )


@dataclass(slots=True)
class PrefetchProgress:
    done: int
    total: int
    fetched: int
    failed: int
    bytes: int


@dataclass(slots=True)
class PrefetchResult:
    planned: int
    fetched: list[Tile] = field(default_factory=list)
    failed: dict[Tile, str] = field(default_factory=dict)
    bytes: int = 0

    @property
    def complete(self) -> bool:
        return not self.failed and len(self.fetched) == self.planned

    def describe(self) -> str:
        if self.complete:
            return f"Map tiles ready: {len(self.fetched):,} downloaded."
        reasons = sorted(set(self.failed.values()))
        shown = "; ".join(reasons[:3]) + ("; …" if len(reasons) > 3 else "")
        return (
            f"{len(self.fetched):,} map tiles downloaded, {len(self.failed):,} could not be "
            f"({shown}). The map shows the streets without those tiles."
        )


ProgressCallback = Callable[[PrefetchProgress], None]


async def prefetch(
    plan: PrefetchPlan,
    cache: MBTiles,
    settings: PrefetchSettings,
    *,
    client: httpx.AsyncClient | None = None,
    progress: ProgressCallback | None = None,
    clock: Callable[[], float] = time.time,
) -> PrefetchResult:
    """Download `plan.to_fetch` into `cache`; returns what was fetched and what failed.

    Raises PrefetchError when the tile server cannot be reached at all (offline, refused,
    timed out): the tiles stored so far stay, and planning again resumes from there.
    Cancelling the task is a clean cut for the same reason.
    """
    result = PrefetchResult(planned=len(plan.to_fetch))
    queue = list(reversed(plan.to_fetch))
    own_client = client is None
    http = client or httpx.AsyncClient(
        timeout=settings.timeout_s, follow_redirects=False, trust_env=False
    )

    def report() -> None:
        if progress is not None:
            progress(
                PrefetchProgress(
                    done=len(result.fetched) + len(result.failed),
                    total=result.planned,
                    fetched=len(result.fetched),
                    failed=len(result.failed),
                    bytes=result.bytes,
                )
            )

    async def fetch_one(tile: Tile) -> None:
        z, x, y = tile
        try:
            response = await http.get(tile_url(settings.url_template, z, x, y))
        except httpx.TransportError as exc:
            done = len(result.fetched)
            raise PrefetchError(
                f"The tile server {urlsplit(settings.url_template).netloc} stopped answering "
                f"({type(exc).__name__}) after {done:,} of {result.planned:,} tiles. "
                "The tiles downloaded so far are kept; the next prefetch resumes from there."
            ) from exc
        if response.status_code != 200:
            result.failed[tile] = f"server answered HTTP {response.status_code}"
        elif image_mime(response.content) is None:
            result.failed[tile] = "server sent something that is not an image"
        else:
            cache.put_tile(z, x, y, response.content, fetched_at=clock())
            result.fetched.append(tile)
            result.bytes += len(response.content)
        report()

    async def worker() -> None:
        while queue:
            await fetch_one(queue.pop())

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(settings.concurrency, max(1, len(queue)))):
                group.create_task(worker())
    except* PrefetchError as errors:
        raise errors.exceptions[0] from None
    except* TileStoreError as errors:
        raise PrefetchError(str(errors.exceptions[0])) from None
    finally:
        if own_client:
            await http.aclose()
    report()
    return result
