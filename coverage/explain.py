"""Why a segment is, or is not, swept (the rule's own numbers, in words for the operator
and the supervisor), and the payloads of the operator's confirmations and overrides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from coverage.model import SegmentState

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
    """Why a segment is, or is not, swept: the rule's own numbers."""

    segment_id: str
    profile: str
    state: SegmentState
    trimmed_length_m: float
    buffer_m: float
    coverage_pct: float
    passes: int
    sweeping_passes: int
    sweeping_passes_by_side: dict[str, int]
    sides_needed: int
    sides_done: tuple[str, ...]
    sweep_speed_kmh: tuple[float, float] | None  # min, max while "on" in the buffer
    max_speed_kmh: float | None  # fastest piece seen in the buffer
    source: str | None  # "sensed", "inferred", "operator"
    reason: str | None  # why not swept; None when swept
    swept_at: datetime | None = None
    operator: dict[str, Any] | None = None

    def text(self) -> str:
        head = (
            f"{self.coverage_pct:.0f} % of the buffer covered, {self.passes} pass(es), "
            f"{self.sweeping_passes} sweeping"
        )
        if self.reason:
            return f"Not swept: {self.reason} ({head})."
        return f"Swept ({self.source}; {head})."


def _snapshot(e: SegmentExplanation) -> dict[str, Any]:
    return {
        "profile": e.profile,
        "coverage_pct": e.coverage_pct,
        "passes": e.passes,
        "sweeping_passes": e.sweeping_passes,
        "sweeping_passes_by_side": dict(e.sweeping_passes_by_side),
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
