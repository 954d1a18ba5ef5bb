"""The coverage rule's profiles: the City's published rule and Sweepline's curb-side rule,
their thresholds, how far each kind of GPS source may be trusted across a gap, what the
route data adds (ownership, one-way, narrow), and the profile's form on the wire.

Every number here is a decision a city may be asked to defend, so each says why it is
what it is (docs/coverage.md gathers them). Both profiles share the safeguards of
COVERAGE.md "False sweeps"; they differ in what completes a street: the City counts a
sweeping pass (half the street or more in one direction) plus its 36 % area test,
Sweepline asks for each curb needed to be travelled along 80 % of its length.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from coverage.model import Segment


class FixSource(StrEnum):
    RECEIVER = "receiver"  # a GNSS receiver reporting once a second (the tablet's)
    TELEMATICS = "telematics"  # a vehicle tracker: a point every ~30 s and at events


@dataclass(frozen=True, slots=True)
class SourceBounds:
    """How far a source's track may be trusted between two fixes, and how it judges speed.

    A gap between two fixes is bridged with a straight piece only when both its duration
    and its straight-line length are within these bounds; otherwise the track breaks and
    nothing between the two fixes counts (COVERAGE.md: never bridge what the vehicle
    could have left the street for). `speed_window_s` is the span over which speed is
    judged from displacement, long enough for several fixes so jitter does not look
    like motion."""

    max_gap_s: float
    max_gap_m: float
    speed_window_s: float


SOURCE_BOUNDS: dict[FixSource, SourceBounds] = {
    # 1 Hz receiver: five missed epochs means the sky was lost (tunnel, canyon); 20 m is
    # what the top of the sweeping band (12 km/h) covers in those 5 s, so a longer
    # bridge was not sweeping anyway and could only invent coverage. It also cuts a
    # multipath jump (30 m or more in a second) out of the track. The window of 10 s
    # spans ten fixes: 2 km/h there is 5.6 m of real displacement.
    FixSource.RECEIVER: SourceBounds(max_gap_s=5.0, max_gap_m=20.0, speed_window_s=10.0),
    # Telematics feed: a heartbeat point every ~30 s (31-35 s is common) and a point at
    # every turn (curve logging), so a straight line between two regular points follows
    # the street. 120 s is four heartbeats: one or two late or missing points do not
    # break the track (so whether an idling feed sweeps no longer hinges on the polling
    # period), a lost connection does. 200 m is one urban block: a longer straight line
    # may hide a detour. The 60 s window spans at least two heartbeats.
    FixSource.TELEMATICS: SourceBounds(max_gap_s=120.0, max_gap_m=200.0, speed_window_s=60.0),
}


@dataclass(frozen=True, slots=True)
class CoverageProfile:
    """One city's rule. Field comments say why each default is what it is."""

    name: str
    # The City's sweeping band, judged over the source's speed window (SourceBounds):
    # below 2 km/h the vehicle is standing or creeping, above 12 km/h it is in transit.
    min_speed_kmh: float = 2.0
    max_speed_kmh: float = 12.0
    # The City's trim against false hits at intersections.
    end_trim_m: float = 10.0
    # Sweepline trims short segments by at most this share of their length at each end,
    # so a 15 m street can still be swept; the City's rule has no such limit.
    max_trim_share: float | None = None
    # The City's buffer: LANES × 3.3 + 6 m with flat caps (passes and the area test).
    lane_width_m: float = 3.3
    buffer_extra_m: float = 6.0
    # The City's area test: the track buffered 10 m must cover more than 36 % of it.
    track_buffer_m: float = 10.0
    min_area_fraction: float = 0.36
    # Extent counts only inside the street band: half the carriageway (LANES × 3.3 / 2)
    # plus 4 m for the receiver's error and the sweeper's offset from the curb. That is
    # 7.3 m for two lanes, 5.65 m for one: a parallel street or alley 12 m away (centre
    # to centre) stays outside unless its own fixes err by 5 m or more toward it.
    street_margin_m: float = 4.0
    # A fix reporting an error above 10 m cannot tell a street from its neighbour 12 m
    # away, so it adds nothing. A fix reporting none is taken at 5 m, the open-sky error
    # of a consumer receiver (HDOP 1 × the 5 m UERE of client/nmea.py): feeds without
    # accuracy (telematics, most logs) are judged by the other safeguards alone.
    max_accuracy_m: float = 10.0
    unknown_accuracy_m: float = 5.0
    curb_sides: bool = False
    # Curb sides: a side is done when its travelled extent reaches 80 % of the trimmed
    # length (parked cars and a stop or two are forgiven; shuttling over a fifth is not).
    side_done_fraction: float = 0.8

    def band_m(self, lanes: int) -> float:
        """Half-width of the street band for a segment of `lanes` lanes."""
        return max(lanes, 1) * self.lane_width_m / 2 + self.street_margin_m

    def rule_text(self) -> str:
        """The test that decides, in one sentence naming the profile."""
        band = f"{self.min_speed_kmh:g}–{self.max_speed_kmh:g} km/h"
        area = f"more than {100 * self.min_area_fraction:.0f} % of its buffer covered"
        if self.curb_sides:
            return (
                f"{self.name}: each curb needed travelled along at least "
                f"{100 * self.side_done_fraction:.0f} % of its length at {band}, and {area}"
            )
        return (
            f"{self.name}: a sweeping pass (at least half its length travelled in one "
            f"direction at {band}) and {area}"
        )


KITCHENER_2023 = CoverageProfile(name="kitchener-2023")
SWEEPLINE = CoverageProfile(name="sweepline", max_trim_share=0.25, curb_sides=True)
PROFILES = {p.name: p for p in (KITCHENER_2023, SWEEPLINE)}
# What a tablet runs for an assignment whose server names no profile (a server older
# than the profile setting): the rule tablets ran before the city could choose.
DEFAULT_PROFILE = SWEEPLINE


def profile_to_wire(profile: CoverageProfile) -> dict[str, Any]:
    """The profile as the server sends it with an assignment: its name and parameters."""
    return dataclasses.asdict(profile)


def profile_from_wire(value: Any) -> CoverageProfile:
    """The profile an assignment names; ValueError when it is malformed.

    The parameters sent win over the built-in profile of the same name, so a city's
    server decides the numbers; a parameter this tablet does not know is refused rather
    than silently ignored (the rule would not be the one the city configured)."""
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise ValueError("a coverage profile needs a name")
    known = {f.name: f for f in dataclasses.fields(CoverageProfile)}
    unknown = set(value) - set(known)
    if unknown:
        raise ValueError(f"coverage profile has unknown parameters {sorted(unknown)}")
    base = PROFILES.get(value["name"], CoverageProfile(name=value["name"]))
    changes: dict[str, Any] = {}
    for key, raw in value.items():
        if key == "name":
            continue
        current = getattr(base, key)
        if isinstance(current, bool) or key == "curb_sides":
            if not isinstance(raw, bool):
                raise ValueError(f"coverage profile parameter {key!r} must be true or false")
        elif raw is None and key == "max_trim_share":
            pass
        elif not isinstance(raw, int | float) or isinstance(raw, bool) or raw < 0:
            raise ValueError(f"coverage profile parameter {key!r} must be a number ≥ 0")
        changes[key] = raw
    return dataclasses.replace(base, **changes)


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
