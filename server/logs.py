"""Structured log lines (`event key=value ...`) for the server.

One helper so every line is greppable the same way and so nothing sensitive is logged by
accident: callers pass named fields, never whole request bodies or headers.
"""

from __future__ import annotations

import logging
from typing import Any

_FORBIDDEN = frozenset({"password", "token", "access_token", "authorization"})


def log_event(logger: logging.Logger, level: int, event: str, **fields: Any) -> None:
    """Log `event k=v ...`; the fields also travel in `extra` for JSON formatters."""
    safe = {k: v for k, v in fields.items() if k.lower() not in _FORBIDDEN}
    pairs = (f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in safe.items())
    text = " ".join([event, *pairs])
    logger.log(level, "%s", text, extra={"event": event, "fields": safe})
