"""When a forgotten shift starts by itself: the vehicle moves along its route.

A few consecutive moving fixes on the route are needed, so one noisy speed reading at a
standstill, or driving to the route, does not start recording.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from coverage.geo import haversine_m
from coverage.model import Fix

# Walking pace: above it the vehicle is driving.
MOVING_KMH: Final = 5.0
# Consecutive fixes moving along the route that start a forgotten shift.
AUTO_START_FIXES: Final = 3


class MotionStart:
    def __init__(self) -> None:
        self._moving_fixes = 0

    def observe(self, fix: Fix, previous: Fix | None, on_route: Callable[[], bool]) -> bool:
        """Count this fix; True once enough consecutive fixes moved along the route.
        `on_route` is asked only for a moving fix (it projects onto every segment)."""
        if moving(fix, previous) and on_route():
            self._moving_fixes += 1
        else:
            self._moving_fixes = 0
        return self._moving_fixes >= AUTO_START_FIXES


def moving(fix: Fix, previous: Fix | None) -> bool:
    """Above walking pace, by the receiver's speed or else by displacement."""
    if fix.speed_mps is not None:
        return fix.speed_mps * 3.6 > MOVING_KMH
    if previous is None:
        return False
    dt = (fix.t - previous.t).total_seconds()
    if dt <= 0:
        return False
    metres = haversine_m(previous.lon, previous.lat, fix.lon, fix.lat)
    return metres / dt * 3.6 > MOVING_KMH
