"""The coverage rule's profiles: the City's published rule and Sweepline's curb-side rule,
their thresholds, what the route data adds (ownership, one-way, narrow) and the activity
classification of a piece of track by speed (COVERAGE.md)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from coverage.model import Segment


class Activity(StrEnum):
    ON = "on"  # sweeping
    OFF = "off"  # stopped or crawling
    TRANSIT = "transit"  # faster than the sweeping band


@dataclass(frozen=True, slots=True)
class CoverageProfile:
    name: str
    min_speed_kmh: float = 2.0
    max_speed_kmh: float = 12.0
    end_trim_m: float = 10.0
    # Sweepline trims short segments by at most this share of their length at each end,
    # so a 15 m street can still be swept; the City's rule has no such limit.
    max_trim_share: float | None = None
    lane_width_m: float = 3.3
    buffer_extra_m: float = 6.0
    track_buffer_m: float = 10.0
    min_area_fraction: float = 0.36
    max_gap_s: float = 30.0
    curb_sides: bool = False
    side_done_fraction: float = 0.8  # curb sides: share of the trimmed length swept


KITCHENER_2023 = CoverageProfile(name="kitchener-2023")
SWEEPLINE = CoverageProfile(name="sweepline", max_trim_share=0.25, curb_sides=True)
PROFILES = {p.name: p for p in (KITCHENER_2023, SWEEPLINE)}


@dataclass(frozen=True, slots=True)
class SegmentRules:
    """What the route data says beyond the geometry."""

    excluded: bool = False  # e.g. OWNERSHIP = MTO: provincial roads are not ours to sweep
    sides_needed: int = 2  # 1: one pass covers the street (one-way, narrow)

    @staticmethod
    def for_segment(segment: Segment, ownership: str | None = None) -> SegmentRules:
        narrow = segment.lanes <= 1
        return SegmentRules(
            excluded=(ownership or "").upper() == "MTO",
            sides_needed=1 if segment.oneway or narrow else 2,
        )


def classify(raw_mps: float, median_mps: float, profile: CoverageProfile) -> Activity:
    """The City's activity rule for one pair of fixes."""
    lo, hi = profile.min_speed_kmh / 3.6, profile.max_speed_kmh / 3.6
    if raw_mps == 0 or (raw_mps < lo and median_mps < lo):
        return Activity.OFF
    if raw_mps <= hi and median_mps <= hi:
        return Activity.ON
    return Activity.TRANSIT
