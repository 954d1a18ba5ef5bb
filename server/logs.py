"""Structured log lines (`event key=value ...`) for the server.

One helper so every line is greppable the same way and so nothing sensitive is logged by
accident: callers pass named fields, never whole request bodies or headers.
"""

from __future__ import annotations

import json
import logging
from typing import Any

_FORBIDDEN = frozenset({"password", "token", "access_token", "authorization"})


def log_event(logger: logging.Logger, level: int, event: str, **fields: Any) -> None:
    """Log `event k=v ...`; the fields also travel in `extra` for JSON formatters."""
    safe = {k: v for k, v in fields.items() if k.lower() not in _FORBIDDEN}
    pairs = (f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in safe.items())
    text = " ".join([event, *pairs])
    logger.log(level, "%s", text, extra={"event": event, "fields": safe})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, event and its fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
        }
        event = getattr(record, "event", None)
        if event is not None:
            line["event"] = event
            line.update(getattr(record, "fields", {}))
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def configure_logging(log_format: str = "text", level: int = logging.INFO) -> None:
    """Root logging for `python -m server`: `text` (event k=v) or `json` lines on stderr."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
