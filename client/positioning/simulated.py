"""The route simulator behind the position-source interface."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from client.nmea import Reading
from client.positioning.base import PositionSource, SourceEnded
from client.simulator import RouteSimulator


class SimulatedSource(PositionSource):
    """Fixes from a `RouteSimulator`, at 1 Hz divided by `speedup` (None: at once)."""

    reconnecting = False

    def __init__(self, simulator: RouteSimulator, *, speedup: float | None = 1.0) -> None:
        super().__init__("simulator")
        self.simulator, self.speedup = simulator, speedup

    async def _session(self) -> AsyncIterator[Reading | None]:
        for fix in self.simulator.fixes():
            yield Reading(fix=fix, hdop=1.0, mode=3, satellites=9, source=self.name)
            if self.speedup:
                await asyncio.sleep(1.0 / self.speedup)
        raise SourceEnded
