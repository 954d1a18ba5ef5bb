"""The guidance the operator window shows, read from the tablet core.

Joins what the core knows (last fix, the segment under it, what is left to sweep and
which curbs) to `coverage.guidance.next_segment`, which decides. Kept apart from the
window so the drawing code stays about drawing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from coverage.guidance import NextSegment, next_segment

if TYPE_CHECKING:
    from coverage.explain import SegmentExplanation
    from ui.tablet_protocol import TabletLike

SIDES = ("right", "left")


def sides_left(e: SegmentExplanation) -> tuple[str, ...]:
    """The curb sides of a segment still to sweep (one for a one-curb segment)."""
    needed = SIDES[: max(1, min(2, e.sides_needed))]
    left = tuple(s for s in needed if s not in e.sides_done)
    return left or needed


def to_sweep_of(tablet: TabletLike) -> dict[str, tuple[str, ...]]:
    """Every segment still to sweep with its curb sides left. Explaining each segment is
    the costly part: the window keeps this until a segment changes, not per fix."""
    return {sid: sides_left(tablet.explain(sid)) for sid in tablet.unswept_segments()}


def guidance_for(
    tablet: TabletLike, to_sweep: Mapping[str, tuple[str, ...]]
) -> tuple[str | None, bool | None, NextSegment | None]:
    """(street under the vehicle, on the route?, next segment among `to_sweep`); None,
    None, None without a fix or an assignment."""
    fix = tablet.gps_state().last_fix
    if fix is None or tablet.assignment is None:
        return None, None, None
    route = tablet.assignment.route
    current = tablet.current_segment()
    street = next((s.street for s in route.segments if s.id == current), None)
    return street, current is not None, next_segment(route, to_sweep, fix.lon, fix.lat, current)
