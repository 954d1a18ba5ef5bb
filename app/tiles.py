"""Keeping the assigned routes' map tiles on the tablet while it is online.

The pieces (planning with an estimate and a cap, the resumable downloader, the MBTiles
cache) live in `maps/`; this runs them for the current assignment and reports in plain
words, so the screen can show what is happening without knowing about tiles.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from client.tls import SYSTEM_TRUST, TlsPolicy, TlsSetupError
from coverage.model import Route
from maps.mbtiles import MBTiles, TileStoreError
from maps.prefetch import (
    PrefetchError,
    PrefetchProgress,
    PrefetchResult,
    PrefetchSettings,
    plan_prefetch,
    prefetch,
    routes_area,
)

log = logging.getLogger("sweepline.tiles")

# Progress is reported at most this often (in tiles), not once per tile.
PROGRESS_STEP = 50


class RouteTilePrefetcher:
    """Prefetches the tiles around a route into the tablet's cache, reporting as it goes."""

    def __init__(
        self,
        cache_path: Path,
        settings: PrefetchSettings,
        report: Callable[[str], None],
        tls: TlsPolicy = SYSTEM_TRUST,
    ) -> None:
        self.cache_path = cache_path
        self.settings = settings
        self._report = report
        self.tls = tls

    async def run(self, route: Route) -> PrefetchResult | None:
        """Plan and download; None when nothing could be done (the reason was reported)."""
        if not route.segments:
            return None
        area = routes_area((s.coords for s in route.segments), self.settings.margin_m)
        try:
            cache = MBTiles.open_cache(self.cache_path)
        except TileStoreError as exc:
            self._report(f"The map tile cache cannot be used: {exc}")
            return None
        try:
            plan = plan_prefetch(area, cache, self.settings)
            if not plan.to_fetch:
                self._report(f"Map tiles up to date ({plan.total:,} on the tablet).")
                return PrefetchResult(planned=0)
            self._report(f"Downloading map tiles: {plan.describe()}.")

            def progress(p: PrefetchProgress) -> None:
                if p.done % PROGRESS_STEP == 0 and p.done < p.total:
                    self._report(f"Map tiles: {p.done:,} of {p.total:,}")

            import httpx

            async with httpx.AsyncClient(
                verify=self.tls.context(),
                timeout=self.settings.timeout_s,
                follow_redirects=False,
                trust_env=False,
            ) as client:
                result = await prefetch(
                    plan, cache, self.settings, client=client, progress=progress
                )
        except (PrefetchError, TlsSetupError) as exc:
            self._report(str(exc))
            return None
        finally:
            cache.close()
        self._report(result.describe())
        log.info("tile prefetch: %s", result.describe())
        return result
