"""The one interface every position source offers, and its reconnecting loop."""

from __future__ import annotations

import asyncio
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from client.models import GpsQuality, GpsState
from client.nmea import Reading

log = logging.getLogger("sweepline.gps")

STALE_AFTER_S = 3.0
RETRY_MIN_S = 0.2
RETRY_MAX_S = 5.0


class SourceStatus(StrEnum):
    STARTING = "starting"
    CONNECTING = "connecting"
    NO_FIX = "no_fix"  # connected, the receiver has no position
    FIX = "fix"
    STALE = "stale"  # connected, but no position for STALE_AFTER_S
    DISCONNECTED = "disconnected"  # lost; retrying
    ENDED = "ended"  # a file or a simulated drive finished, or close() was called


@dataclass(frozen=True, slots=True)
class SourceState:
    status: SourceStatus
    source: str
    last: Reading | None = None
    error: str | None = None
    reconnects: int = 0

    def gps_state(self) -> GpsState:
        """The status bar's view of this state."""
        if self.status is SourceStatus.FIX:
            quality = GpsQuality.FIX
        elif self.status is SourceStatus.STALE:
            quality = GpsQuality.STALE
        else:
            quality = GpsQuality.NO_FIX
        return GpsState(quality, self.last.fix if self.last else None, self.source)


class SourceEnded(Exception):
    """A finite source (file, simulation) has nothing more to give."""


class PositionSource(ABC):
    """Readings in order, state changes to listeners; reconnects until closed."""

    reconnecting = True

    def __init__(self, name: str, *, stale_after_s: float = STALE_AFTER_S) -> None:
        self.name = name
        self.stale_after_s = stale_after_s
        self._state = SourceState(SourceStatus.STARTING, name)
        self._listeners: list[Callable[[SourceState], None]] = []
        self._closed = False

    @property
    def state(self) -> SourceState:
        return self._state

    def add_listener(self, callback: Callable[[SourceState], None]) -> Callable[[], None]:
        self._listeners.append(callback)

        def remove() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return remove

    def _set_state(self, **changes: object) -> None:
        new = replace(self._state, **changes)  # type: ignore[arg-type]
        if new != self._state:
            self._state = new
            for callback in list(self._listeners):
                callback(new)

    def close(self) -> None:
        self._closed = True

    @property
    def closed(self) -> bool:
        return self._closed

    @abstractmethod
    def _session(self) -> AsyncIterator[Reading | None]:
        """One connection: yields readings, and None when connected but fix-less.

        Raises OSError (or ConnectionError) when the connection is lost, SourceEnded at
        the end of finite input; may wait at most about a second between yields.
        """

    async def readings(self) -> AsyncIterator[Reading]:
        delay = RETRY_MIN_S
        reconnects = 0
        while not self._closed:
            self._set_state(status=SourceStatus.CONNECTING)
            last_reading_at = time.monotonic()
            try:
                async for item in self._session():
                    if self._closed:
                        break
                    delay = RETRY_MIN_S
                    now = time.monotonic()
                    if item is None:
                        if now - last_reading_at > self.stale_after_s:
                            status = SourceStatus.STALE if self._state.last else SourceStatus.NO_FIX
                            self._set_state(status=status, error=None)
                        elif self._state.status is SourceStatus.CONNECTING:
                            self._set_state(status=SourceStatus.NO_FIX, error=None)
                        continue
                    last_reading_at = now
                    self._set_state(status=SourceStatus.FIX, last=item, error=None)
                    yield item
                else:
                    if not self.reconnecting:
                        break
                    raise ConnectionError("the source closed the connection")
            except SourceEnded:
                break
            except (OSError, EOFError, asyncio.IncompleteReadError) as exc:
                if self._closed:
                    break
                reconnects += 1
                self._set_state(
                    status=SourceStatus.DISCONNECTED,
                    error=str(exc) or type(exc).__name__,
                    reconnects=reconnects,
                )
                log.info("%s: disconnected (%s); retrying in %.1f s", self.name, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_S)
                continue
            if self._closed or not self.reconnecting:
                break
        self._set_state(status=SourceStatus.ENDED)
