"""What the status strip says about positioning: fix, stale or none, and why.

The source reports its own link state (connecting, no fix, disconnected, an error); the
tablet reports each fix it received. An operator must never read "no problems" while
there is no fresh fix, and must always see when positions are simulated.
"""

from __future__ import annotations

import time
from typing import Final

from client.models import GpsQuality, GpsState
from coverage.model import Fix

# A fix older than this (on the monotonic clock, immune to the GPS's own time) is stale.
GPS_STALE_S: Final = 10.0


class GpsStatus:
    def __init__(self, source_name: str) -> None:
        self.source_name = source_name
        self.simulated = source_name == "simulator"
        self._link = ""  # the source's state: connecting, no_fix, fix, disconnected…
        self._link_error: str | None = None
        self._satellites: int | None = None
        self._last_fix_mono: float | None = None

    def fix_received(self, satellites: int | None) -> None:
        self._last_fix_mono = time.monotonic()
        self._satellites = satellites

    def set_link(self, status: str, error: str | None) -> bool:
        """Record the source's state; True when it changed (the strip must redraw)."""
        if (status, error) == (self._link, self._link_error):
            return False
        self._link, self._link_error = status, error
        return True

    def state(self, last_fix: Fix | None) -> GpsState:
        if last_fix is None or self._last_fix_mono is None:
            quality = GpsQuality.NO_FIX
        elif time.monotonic() - self._last_fix_mono > GPS_STALE_S:
            quality = GpsQuality.STALE
        else:
            quality = GpsQuality.FIX
        detail = self._link_error or ""
        if not detail and quality is not GpsQuality.FIX and self._link:
            detail = self._link.replace("_", " ")
        return GpsState(
            quality=quality,
            last_fix=last_fix,
            source=self.source_name,
            satellites=self._satellites if quality is GpsQuality.FIX else None,
            simulated=self.simulated,
            detail=detail,
        )
