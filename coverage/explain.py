"""Why a segment is, or is not, swept (the rule's own numbers, in words for the operator
and the supervisor), and the payloads of the operator's confirmations and overrides."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from coverage.model import SegmentState
from coverage.profiles import CoverageProfile
from coverage.track import SIDES, SegmentTrack

CONFIRMED_EVENT = "segment_confirmed"
NOT_SWEPT_EVENT = "segment_not_swept"


class NotSweptReason(StrEnum):
    PARKED_CARS = "parked_cars"
    CONSTRUCTION = "construction"
    BLOCKED = "blocked"
    CLOSED = "closed"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class SegmentExplanation:
    """Why a segment is, or is not, swept: the rule's own numbers, the profile that ran
    and the test that decided."""

    segment_id: str
    profile: str  # the city's profile the engine ran (kitchener-2023, sweepline)
    state: SegmentState
    trimmed_length_m: float
    buffer_m: float
    coverage_pct: float
    passes: int
    sweeping_passes: int
    sweeping_passes_by_side: dict[str, int]
    sides_needed: int
    sides_done: tuple[str, ...]
    sweep_speed_kmh: tuple[float, float] | None  # min, max while "on" in the band
    max_speed_kmh: float | None  # fastest piece seen in the buffer
    source: str | None  # "sensed", "inferred", "operator"
    reason: str | None  # why not swept; None when swept
    swept_at: datetime | None = None
    operator: dict[str, Any] | None = None
    # Which rule decided: the profile's test in one sentence, or the operator's word.
    rule: str = ""
    # Distinct stretch travelled at sweeping speed inside the street band, per side
    # ("right": with the digitised direction, "left": against it), in metres and in
    # percent of the trimmed length.
    extent_m_by_side: dict[str, float] = field(default_factory=dict)
    extent_pct_by_side: dict[str, float] = field(default_factory=dict)
    curb_sides: bool = False  # the sides are curbs (sweepline), not just directions

    def travelled_text(self) -> str:
        if not self.extent_pct_by_side:
            return ""
        sides = ", ".join(f"{side} {pct:.0f} %" for side, pct in self.extent_pct_by_side.items())
        return f"travelled along at sweeping speed: {sides} of its length"

    def text(self) -> str:
        head = (
            f"{self.coverage_pct:.0f} % of the buffer covered, {self.passes} pass(es), "
            f"{self.sweeping_passes} sweeping"
        )
        travelled = self.travelled_text()
        numbers = f"{travelled}; {head}" if travelled else head
        rule = self.rule or self.profile
        if self.reason:
            return f"Not swept: {self.reason}. Rule {rule} ({numbers})."
        return f"Swept ({self.source}) by {rule} ({numbers})."


def explain_track(
    s: SegmentTrack, p: CoverageProfile, state: SegmentState, swept_at: datetime | None
) -> SegmentExplanation:
    """The explanation of one segment's state under profile `p`."""
    by_side = s.sweeping_passes_by_side()
    done = s.sides_done(p) if p.curb_sides else ()
    source = (
        "operator" if s.operator else ("sensed" if s.sensed else "inferred" if s.inferred else None)
    )
    if s.operator is not None:
        verdict = "swept" if s.rule_swept(p) else "not swept"
        word = "confirmation" if s.operator.get("swept") else "override"
        rule = f"the operator's {word} ({p.name} alone says {verdict})"
    else:
        rule = p.rule_text()
    return SegmentExplanation(
        segment_id=s.id,
        profile=p.name,
        state=state,
        trimmed_length_m=round(s.trimmed, 1),
        buffer_m=round(s.r, 1),
        coverage_pct=round(100 * s.area_fraction, 1),
        passes=s.passes(s.len_in),
        sweeping_passes=sum(by_side),
        sweeping_passes_by_side=dict(zip(SIDES, by_side, strict=True)),
        sides_needed=s.rules.sides_needed if p.curb_sides else 1,
        sides_done=done,
        sweep_speed_kmh=None if math.isinf(s.on_min) else (round(s.on_min, 1), round(s.on_max, 1)),
        max_speed_kmh=round(s.max_seen, 1) if s.len_in else None,
        source=source,
        reason=None if state is SegmentState.SWEPT else why_not(s, p),
        swept_at=swept_at,
        operator=s.operator,
        rule=rule,
        extent_m_by_side={n: round(e.total, 1) for n, e in zip(SIDES, s.extent, strict=True)},
        extent_pct_by_side={n: round(100 * s.extent_share(i), 1) for i, n in enumerate(SIDES)},
        curb_sides=p.curb_sides,
    )


def why_not(s: SegmentTrack, p: CoverageProfile) -> str:
    """Why the rule does not call the segment swept, from its own numbers."""
    if s.operator is not None:
        return f"operator: {s.operator.get('reason')}"
    if s.rules.excluded:
        return "excluded (provincial road)"
    if not s.usable:
        return f"shorter than the {2 * p.end_trim_m:.0f} m end trim"
    ignored = (
        f"; {s.inaccurate} fix(es) near it ignored, reporting an error above "
        f"{p.max_accuracy_m:.0f} m"
        if s.inaccurate
        else ""
    )
    if not s.len_in and not s.cells:
        return "not driven" + ignored
    band = f"{p.min_speed_kmh:g}–{p.max_speed_kmh:g} km/h"
    shares = [100 * s.extent_share(i) for i in range(2)]
    standing = (
        f"; it stood or crept here for {s.still_s / 60:.0f} min: standing still is not sweeping"
        if s.still_s >= 60
        else ""
    )
    if max(shares) == 0:
        if s.max_seen > p.max_speed_kmh and not standing:
            return f"driven, but never at sweeping speed (up to {s.max_seen:.0f} km/h: transit)"
        return f"never travelled along it at {band} inside its street band{standing}{ignored}"
    need = 100 * p.side_done_fraction
    if p.curb_sides:
        done = s.sides_done(p)
        if len(done) < s.rules.sides_needed:
            if s.rules.sides_needed == 2 and done:
                i = 1 if done[0] == "right" else 0
                return (
                    f"one curb swept; the {SIDES[i]} curb (drive it the other way) is not: "
                    f"{shares[i]:.0f} % of its length travelled, needs {need:.0f} %"
                )
            return (
                f"not enough of its length travelled at {band}: right {shares[0]:.0f} %, "
                f"left {shares[1]:.0f} % (a curb needs {need:.0f} %){standing}{ignored}"
            )
    elif sum(s.sweeping_passes_by_side()) < 1:
        return (
            f"no sweeping pass: at most {max(shares):.0f} % of its length travelled in one "
            f"direction at {band} (a pass needs half){standing}{ignored}"
        )
    if s.area_fraction <= p.min_area_fraction:
        return (
            f"only {100 * s.area_fraction:.0f} % of its buffer is within "
            f"{p.track_buffer_m:.0f} m of the track (needs > {100 * p.min_area_fraction:.0f} %)"
        )
    return "not swept"


def _snapshot(e: SegmentExplanation) -> dict[str, Any]:
    return {
        "profile": e.profile,
        "coverage_pct": e.coverage_pct,
        "passes": e.passes,
        "sweeping_passes": e.sweeping_passes,
        "sweeping_passes_by_side": dict(e.sweeping_passes_by_side),
        "extent_pct_by_side": dict(e.extent_pct_by_side),
        "rule": e.rule,
    }


def confirmation_fact(e: SegmentExplanation, at: datetime, note: str = "") -> dict[str, Any]:
    """Payload of a `segment_confirmed` event: the operator says this segment is swept."""
    return {
        "segment_id": e.segment_id,
        "confirmed_at": at.isoformat(),
        "note": note,
        "engine": _snapshot(e),
    }


def override_fact(
    e: SegmentExplanation, reason: NotSweptReason, at: datetime, note: str = ""
) -> dict[str, Any]:
    """Payload of a `segment_not_swept` event: not swept, because `reason`."""
    return {
        "segment_id": e.segment_id,
        "reason": str(reason),
        "marked_at": at.isoformat(),
        "note": note,
        "engine": _snapshot(e),
    }
