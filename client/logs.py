"""Log files: per-area loggers, rotating files in the platform log folder, no secrets.

Everything written passes through `redact()`: the secrets this process knows of (the
password typed at login, the tokens the server handed out, registered with
`register_secret`) and anything shaped like one (bearer tokens, JWTs, `password=`,
`token=`, user:password@ in URLs) become `[redacted]`. Below DEBUG level nothing may
say where the vehicle is precisely: coordinates with more than three decimals are
rounded to two (about a kilometre) in INFO and above records.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Final

LOG_FILE: Final = "sweepline.log"
MAX_BYTES: Final = 2 * 1024 * 1024
BACKUPS: Final = 5
FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED: Final = "[redacted]"

_PATTERNS: Final = (
    # Authorization headers and bearer tokens
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + REDACTED),
    # JWT-shaped strings
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), REDACTED),
    # key=value and "key": "value" for secret-sounding keys
    (
        re.compile(
            r"""(?i)(["']?\b(?:password|passwd|secret|token|access_token|refresh_token|"""
            r"""api_key|authorization)["']?\s*[:=]\s*)(?:"[^"]*"|'[^']*'|[^\s"',}&]+)"""
        ),
        r"\1" + REDACTED,
    ),
    # user:password@ in URLs
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@"), r"\1" + REDACTED + "@"),
)
# A latitude or longitude written with more precision than ~100 m.
_PRECISE_COORDINATE: Final = re.compile(r"(?<![\w.])(-?\d{1,3})\.(\d{2})\d{2,}(?![\w.])")

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """From now on `value` never appears in a log line or a diagnostics bundle."""
    if value and len(value) >= 4:
        with _secrets_lock:
            _secrets.add(value)


def forget_secrets() -> None:
    """Clear the registered secrets (tests)."""
    with _secrets_lock:
        _secrets.clear()


def redact(text: str, extra_secrets: Iterable[str] = ()) -> str:
    """`text` with known secrets and secret-shaped substrings replaced by `[redacted]`."""
    with _secrets_lock:
        known = sorted({*_secrets, *(s for s in extra_secrets if s)}, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def coarsen_positions(text: str) -> str:
    """Coordinates rounded to two decimals (about 1 km), for records above DEBUG."""
    return _PRECISE_COORDINATE.sub(r"\1.\2", text)


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then removes secrets (and precise positions above DEBUG)."""

    def format(self, record: logging.LogRecord) -> str:
        text = redact(super().format(record))
        if record.levelno > logging.DEBUG:
            text = coarsen_positions(text)
        return text


class EarlyRecords(logging.Handler):
    """What is logged before `setup_logging` opens the log file, written there first.

    Start-up opens the log file once the map is on screen (the rotating handler's module
    brings sockets and pickling with it); nothing logged before that is lost."""

    def __init__(self, level: str = "INFO") -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []
        self.handed_over = False
        root = logging.getLogger()
        root.addHandler(self)
        root.setLevel(level)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def hand_over(self, handlers: Iterable[logging.Handler]) -> None:
        logging.getLogger().removeHandler(self)
        self.handed_over = True
        for record in self.records:
            for handler in handlers:
                if record.levelno >= handler.level:
                    handler.handle(record)
        self.records.clear()


def setup_logging(
    log_dir: Path | None,
    level: str = "INFO",
    *,
    console: bool = True,
    early: EarlyRecords | None = None,
) -> list[logging.Handler]:
    """Send the `sweepline` loggers (and warnings from libraries) to a rotating file,
    after what `early` held.

    Returns the handlers added to the root logger, so a caller (a test) can remove them.
    A log folder that cannot be created leaves logging on the console only, said once.
    """
    import logging.handlers

    root = logging.getLogger()
    formatter = RedactingFormatter(FORMAT)
    handlers: list[logging.Handler] = []
    problem = None
    if log_dir is not None:
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
            file_handler = logging.handlers.RotatingFileHandler(
                log_dir / LOG_FILE, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
            )
        except OSError as exc:
            problem = f"cannot write logs to {log_dir} ({exc}); logging to the console only"
        else:
            file_handler.setLevel(level)
            handlers.append(file_handler)
    if console:
        stream = logging.StreamHandler(sys.stderr)
        stream.setLevel(level)
        handlers.append(stream)
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(level)
    # Libraries talk at WARNING and above only; httpx logs every request URL at INFO.
    for noisy in ("httpx", "httpcore", "uvicorn.access", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if early is not None:
        early.hand_over(handlers)
    if problem:
        logging.getLogger("sweepline.logs").warning("%s", problem)
    return handlers


def remove_handlers(handlers: Iterable[logging.Handler]) -> None:
    root = logging.getLogger()
    for handler in handlers:
        root.removeHandler(handler)
        handler.close()


def log_files(log_dir: Path) -> list[Path]:
    """The current log file and its rotated predecessors, newest first."""
    if not log_dir.is_dir():
        return []
    return sorted(log_dir.glob(LOG_FILE + "*"), key=lambda p: (len(p.name), p.name))
