"""What the operator window needs from the core, as a structural type.

The window is written against this Protocol rather than `app.tablet.Tablet` so the
screens can be built and tested while the core evolves; the core satisfies it by shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # annotations only: the window's module loads before the core's
    from client.clock import Clock
    from client.models import Assignment, Changes, GpsState, SupervisorMessage, SyncState
    from coverage.explain import SegmentExplanation
    from coverage.model import Fix, Progress, SegmentStatus


class TabletLike(Protocol):
    """The tablet core as the operator window sees it."""

    assignment: Assignment | None
    shift_active: bool
    clock: Clock

    @property
    def network_enabled(self) -> bool: ...

    def statuses(self) -> dict[str, SegmentStatus]: ...

    def explain(self, segment_id: str) -> SegmentExplanation: ...

    def progress(self) -> Progress: ...

    def sweeping_passes(self) -> int: ...

    def sync_state(self) -> SyncState: ...

    def gps_state(self) -> GpsState: ...

    def speed_kmh(self) -> float | None: ...

    def recent_trail(self) -> list[Fix]: ...

    def current_segment(self) -> str | None: ...

    def subscribe(self, callback: Callable[[Changes], None]) -> Callable[[], None]:
        """Call `callback` on the event-loop thread after each change; returns unsubscribe."""
        ...

    def set_network_enabled(self, enabled: bool) -> None: ...

    def start_shift(self) -> None: ...

    def end_shift(self, left_open: Iterable[str] = ()) -> None: ...

    def unswept_segments(self) -> list[str]: ...

    def mark_not_swept(self, segment_id: str, reason: str, note: str = "") -> None: ...

    def record_exception(self, kind: str, side: str, note: str | None = None) -> str: ...

    def add_note(self, text: str, *, about: str | None = None) -> None: ...

    def supervisor_messages(self) -> list[SupervisorMessage]: ...

    def acknowledge_message(self, message_id: str) -> None: ...
