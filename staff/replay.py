"""Shift replay: one vehicle's recorded facts over a time range, played back — its track,
the segments turning swept and the exceptions appearing — from what the server stored
(`GET /api/v1/facts?device_id=`), never from a live tablet.

A fact's moment is the one the server trusts (SYNC.md; `server.fact_time`): its GPS
time, else its device time, else its arrival, and the arrival when the server flagged
the claimed time `implausible_time`. Fixes keep their own timestamps. `state_at(t)` is a
pure function of the recording, so the UI can scrub back and forth at any speed.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from staff.api import SupervisorApi
from wire.protocol import FixBatchError, decode_fix_batch

IMPLAUSIBLE_TIME = "implausible_time"
PAGE = 1000
# Fixes of the track drawn behind the vehicle in a frame (the page keeps as many).
TRAIL_POINTS = 120


def epoch(text: object) -> float | None:
    """Epoch seconds of an ISO time (`Z` or offset), None if it is not one."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def trusted_moment(fact: dict[str, Any]) -> float | None:
    """The server's trusted time of a fact (see the module docstring)."""
    if IMPLAUSIBLE_TIME not in (fact.get("flags") or []):
        for key in ("gps_time", "device_time"):
            moment = epoch(fact.get(key))
            if moment is not None:
                return moment
    return epoch(fact.get("received_at"))


@dataclass(frozen=True, slots=True)
class TrackPoint:
    t: float
    lat: float
    lon: float
    speed_mps: float | None


@dataclass(frozen=True, slots=True)
class Happening:
    """A swept segment or an exception, at its trusted time."""

    t: float
    kind: str  # "swept", or the exception's kind ("parked_cars", "not swept: …")
    route_id: str
    segment_id: str
    side: str | None = None


@dataclass(frozen=True, slots=True)
class Frame:
    """The replay at one moment: where the vehicle was, what was swept, what was reported."""

    t: float
    position: TrackPoint | None
    swept: frozenset[tuple[str, str]]
    exceptions: tuple[Happening, ...]
    trail: tuple[TrackPoint, ...] = ()  # the track just before `t`, oldest first


@dataclass(slots=True)
class Recording:
    device_id: str
    start: float
    end: float
    track: list[TrackPoint] = field(default_factory=list)
    happenings: list[Happening] = field(default_factory=list)

    def route_ids(self) -> list[str]:
        """Routes the vehicle worked in the range, most events first."""
        counts: dict[str, int] = {}
        for h in self.happenings:
            counts[h.route_id] = counts.get(h.route_id, 0) + 1
        return sorted(counts, key=lambda r: (-counts[r], r))

    def state_at(self, t: float) -> Frame:
        """Everything that had happened by `t` (clamped to the range)."""
        t = min(max(t, self.start), self.end)
        times = [p.t for p in self.track]
        i = bisect.bisect_right(times, t)
        position = self.track[i - 1] if i else None
        done = [h for h in self.happenings if h.t <= t]
        return Frame(
            t=t,
            position=position,
            trail=tuple(self.track[max(0, i - TRAIL_POINTS) : i]),
            swept=frozenset((h.route_id, h.segment_id) for h in done if h.kind == "swept"),
            exceptions=tuple(h for h in done if h.kind != "swept"),
        )


def _happening(fact: dict[str, Any], moment: float) -> Happening | None:
    payload = fact.get("payload")
    if not isinstance(payload, dict):
        return None
    route_id, segment_id = payload.get("route_id"), payload.get("segment_id")
    if not isinstance(route_id, str) or not isinstance(segment_id, str):
        return None
    side = payload.get("side") if isinstance(payload.get("side"), str) else None
    if fact.get("type") == "segment_swept":
        return Happening(moment, "swept", route_id, segment_id, side)
    if fact.get("type") == "exception":
        return Happening(
            moment, str(payload.get("kind") or "exception"), route_id, segment_id, side
        )
    if fact.get("type") == "segment_not_swept":
        return Happening(moment, f"not swept: {payload.get('reason')}", route_id, segment_id)
    return None


def build_recording(
    device_id: str, facts: list[dict[str, Any]], start: float, end: float
) -> Recording:
    """The recording of `device_id` between `start` and `end` from applied facts."""
    if end < start:
        raise ValueError("the replay's end is before its start")
    recording = Recording(device_id, start, end)
    for fact in facts:
        if fact.get("device_id") != device_id or fact.get("status") != "applied":
            continue
        if fact.get("stream") == "gps":
            try:
                rows = decode_fix_batch(fact.get("payload"))
            except FixBatchError:
                continue
            for row in rows:
                t_ms, lat, lon, speed = row[0], row[1], row[2], row[3]
                if t_ms is None or lat is None or lon is None:
                    continue
                if start <= t_ms / 1000 <= end:
                    recording.track.append(
                        TrackPoint(t_ms / 1000, float(lat), float(lon), speed and float(speed))
                    )
            continue
        moment = trusted_moment(fact)
        if moment is None or not start <= moment <= end:
            continue
        happening = _happening(fact, moment)
        if happening is not None:
            recording.happenings.append(happening)
    recording.track.sort(key=lambda p: p.t)
    recording.happenings.sort(key=lambda h: h.t)
    return recording


async def load_recording(api: SupervisorApi, device_id: str, start: float, end: float) -> Recording:
    """Fetch every fact of the device from the server (paged) and build the recording."""
    facts: list[dict[str, Any]] = []
    after = 0
    while True:
        page = await api.facts(device_id=device_id, after=after, limit=PAGE)
        facts += page["facts"]
        if not page.get("has_more") or not page["facts"]:
            break
        after = int(page["facts"][-1]["position"])
    return build_recording(device_id, facts, start, end)
