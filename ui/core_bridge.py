"""CoreBridge: turns the core's plain change callbacks into a Qt signal, and disconnects.

The core knows nothing of Qt; widgets want signals. The bridge is the one place that
subscribes, and `detach()` unsubscribes so a closed window is never called again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from client.models import Changes
from ui.tablet_protocol import TabletLike


class CoreBridge(QObject):
    """Re-emits each `Changes` from the tablet as `changed`."""

    changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def attached(self) -> bool:
        return self._unsubscribe is not None

    def attach(self, tablet: TabletLike) -> None:
        """Start relaying `tablet`'s changes (replacing any earlier subscription)."""
        self.detach()
        self._unsubscribe = tablet.subscribe(self._on_tablet_changed)

    def detach(self) -> None:
        """Stop relaying; safe to call more than once."""
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()

    def _on_tablet_changed(self, changes: Changes) -> None:
        if changes:
            self.changed.emit(changes)
