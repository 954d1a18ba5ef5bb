"""What the map shows for each segment: its display state and the tap panel's words.

The display state adds the curb sides to the engine's status: a two-sided street with one
curb swept is "one_side", a segment the operator marked not swept is "skipped". The
words (length, passes, why) are built here from the explanation's numbers, translated,
and sent to the page as JSON; the page only ever sets them as text. "Why" always ends
with the city's rule that decided (its profile name), and "passes" with how much of each
curb was travelled at sweeping speed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from coverage.model import Route, Segment, SegmentState
from ui.formatting import kilometres

if TYPE_CHECKING:  # annotations only: the window loads before the coverage engine
    from coverage.explain import SegmentExplanation


def display_state(e: SegmentExplanation) -> str:
    if e.operator is not None and not e.operator.get("swept", False):
        return "skipped"
    if e.state is SegmentState.SWEPT:
        return "swept"
    if e.sides_needed == 2 and len(e.sides_done) == 1:
        return "one_side"
    if e.state is SegmentState.IN_PROGRESS:
        return "in_progress"
    return "not_started"


def side_name(side: str) -> str:
    return {
        "right": QCoreApplication.translate("SegmentInfo", "right"),
        "left": QCoreApplication.translate("SegmentInfo", "left"),
        "both": QCoreApplication.translate("SegmentInfo", "both"),
    }.get(side, side)


def reason_name(reason: str) -> str:
    return {
        "parked_cars": QCoreApplication.translate("SegmentInfo", "parked cars"),
        "construction": QCoreApplication.translate("SegmentInfo", "construction"),
        "blocked": QCoreApplication.translate("SegmentInfo", "blocked"),
        "closed": QCoreApplication.translate("SegmentInfo", "road closed"),
        "debris_pile": QCoreApplication.translate("SegmentInfo", "debris pile"),
        "other": QCoreApplication.translate("SegmentInfo", "other"),
    }.get(reason, reason)


def why_text(e: SegmentExplanation) -> str:
    """Why the segment is, or is not, swept, and by which city's rule."""
    return (
        QCoreApplication.translate("SegmentInfo", "%1 (rule: %2)")
        .replace("%2", e.profile)
        .replace("%1", _why(e))
    )


def _why(e: SegmentExplanation) -> str:
    state = display_state(e)
    if state == "skipped":
        reason = str((e.operator or {}).get("reason") or "other")
        return QCoreApplication.translate("SegmentInfo", "Marked not swept: %1").replace(
            "%1", reason_name(reason)
        )
    if state == "swept":
        if e.source == "operator":
            return QCoreApplication.translate("SegmentInfo", "Confirmed by the operator")
        if e.sides_needed == 2:
            return QCoreApplication.translate("SegmentInfo", "Both curbs swept at sweeping speed")
        return QCoreApplication.translate("SegmentInfo", "Swept at sweeping speed")
    if state == "one_side":
        done = e.sides_done[0]
        missing = "left" if done == "right" else "right"
        return (
            QCoreApplication.translate(
                "SegmentInfo", "The %1 curb is swept; the %2 curb is not (drive it the other way)"
            )
            .replace("%1", side_name(done))
            .replace("%2", side_name(missing))
        )
    if e.reason == "excluded (provincial road)":
        return QCoreApplication.translate("SegmentInfo", "Not ours to sweep (provincial road)")
    if state == "not_started":
        return QCoreApplication.translate("SegmentInfo", "Not driven yet")
    reason = e.reason or ""
    if "reporting an error above" in reason:
        return QCoreApplication.translate(
            "SegmentInfo", "GPS too inaccurate here: those positions do not count"
        )
    if "standing still is not sweeping" in reason:
        return QCoreApplication.translate(
            "SegmentInfo", "Standing or creeping here does not sweep: drive along it"
        )
    if e.max_speed_kmh is not None and e.sweeping_passes == 0 and e.max_speed_kmh > 12:
        return QCoreApplication.translate(
            "SegmentInfo", "Driven too fast to sweep (up to %1 km/h; the band is 2–12)"
        ).replace("%1", f"{e.max_speed_kmh:.0f}")
    if e.extent_pct_by_side:
        return QCoreApplication.translate(
            "SegmentInfo", "Not enough of its length travelled at sweeping speed yet"
        )
    return QCoreApplication.translate(
        "SegmentInfo", "%1 % done so far: not enough of its length swept yet"
    ).replace("%1", f"{e.coverage_pct:.0f}")


def passes_text(e: SegmentExplanation) -> str:
    text = (
        QCoreApplication.translate(
            "SegmentInfo", "driven along %1 time(s), %2 of them at sweeping speed"
        )
        .replace("%1", str(e.passes))
        .replace("%2", str(e.sweeping_passes))
    )
    travelled = e.extent_pct_by_side
    if travelled:
        words = (
            QCoreApplication.translate(
                "SegmentInfo", "; travelled: right curb %1 %, left curb %2 %"
            )
            if e.curb_sides
            else QCoreApplication.translate(
                "SegmentInfo", "; travelled: %1 % one way, %2 % the other"
            )
        )
        text += words.replace("%1", f"{travelled.get('right', 0.0):.0f}").replace(
            "%2", f"{travelled.get('left', 0.0):.0f}"
        )
    return text


def segment_view(segment: Segment, e: SegmentExplanation) -> dict[str, Any]:
    """The page's per-segment status object: `{state, info: {length, passes, why}}`."""
    length = (
        kilometres(segment.length_m) if segment.length_m >= 1000 else (f"{segment.length_m:.0f} m")
    )
    return {
        "state": display_state(e),
        "info": {"length": length, "passes": passes_text(e), "why": why_text(e)},
    }


def route_views(
    route: Route,
    explain: Callable[[str], SegmentExplanation],
    segment_ids: Iterable[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """The view of each segment of `route` (only those in `segment_ids` when given)."""
    wanted = None if segment_ids is None else set(segment_ids)
    return {
        s.id: segment_view(s, explain(s.id))
        for s in route.segments
        if wanted is None or s.id in wanted
    }


def page_labels() -> dict[str, str]:
    """Every word the map page shows by itself, in the current language."""
    return {
        "not_started": QCoreApplication.translate("SegmentInfo", "Not started"),
        "in_progress": QCoreApplication.translate("SegmentInfo", "In progress"),
        "one_side": QCoreApplication.translate("SegmentInfo", "One curb swept"),
        "swept": QCoreApplication.translate("SegmentInfo", "Swept"),
        "skipped": QCoreApplication.translate("SegmentInfo", "Skipped"),
        "length": QCoreApplication.translate("SegmentInfo", "Length"),
        "passes": QCoreApplication.translate("SegmentInfo", "Passes"),
        "why": QCoreApplication.translate("SegmentInfo", "Why"),
        "recentre": QCoreApplication.translate("SegmentInfo", "Re-centre"),
        "close": QCoreApplication.translate("SegmentInfo", "Close"),
        "legend": QCoreApplication.translate("SegmentInfo", "Legend"),
    }
