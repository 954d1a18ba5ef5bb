"""How much one push may carry, per stream: adapted to the link as it behaves.

A 413 or a timeout halves the batch (by count and by bytes, never under one event or
4 KiB); each success doubles it back towards the configured maximum. On a slow link the
backlog then drains in requests that finish, instead of one large request that times
out again and again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Final

log = logging.getLogger("sweepline.sync")

MAX_BATCH_EVENTS: Final = 500
MAX_BATCH_BYTES: Final = 256 * 1024
MIN_BATCH_BYTES: Final = 4 * 1024


class BatchLimits:
    def __init__(self, streams: Iterable[str], max_count: int, max_bytes: int) -> None:
        self._max_count = max_count
        self._max_bytes = max_bytes
        self._limits = dict.fromkeys(streams, (max_count, max_bytes))

    def __getitem__(self, stream: str) -> tuple[int, int]:
        """(events, bytes) the next push of `stream` may carry."""
        return self._limits[stream]

    def shrink(self, stream: str, sent: int) -> None:
        count, nbytes = self._limits[stream]
        self._limits[stream] = (max(1, min(count, sent) // 2), max(MIN_BATCH_BYTES, nbytes // 2))
        log.info("%s batch shrunk to %s", stream, self._limits[stream])

    def grow(self, stream: str) -> None:
        count, nbytes = self._limits[stream]
        self._limits[stream] = (min(self._max_count, count * 2), min(self._max_bytes, nbytes * 2))
