"""What the operator window needs from the core, as a structural type.

The window is written against this Protocol rather than `client.tablet.Tablet` so the
screens can be built and tested while the core evolves; the core satisfies it by shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from client.models import Assignment, Changes, Fix, GpsState, Progress, SegmentStatus, SyncState


class TabletLike(Protocol):
    """The tablet core as the operator window sees it."""

    assignment: Assignment | None
    network_enabled: bool

    def statuses(self) -> dict[str, SegmentStatus]: ...

    def progress(self) -> Progress: ...

    def sync_state(self) -> SyncState: ...

    def gps_state(self) -> GpsState: ...

    def recent_trail(self) -> list[Fix]: ...

    def subscribe(self, callback: Callable[[Changes], None]) -> Callable[[], None]:
        """Call `callback` on the event-loop thread after each change; returns unsubscribe."""
        ...

    def set_network_enabled(self, enabled: bool) -> None: ...
