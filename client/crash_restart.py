"""Restart on crash, for kiosk mode: run the application as a child until it exits cleanly.

Exit status 0 is the configured exit (the kiosk shortcut): the watcher stops too.
Anything else (a crash, a kill) starts the application again after a pause that grows
from one second to half a minute while crashes come quickly, and shrinks back once a
run has lasted a while, so a crash loop does not spin the CPU of the tablet.
"""

from __future__ import annotations

import logging
import os
import subprocess
import time
from collections.abc import Callable, Sequence

log = logging.getLogger("sweepline.restart")

ENV_SUPERVISED = "SWEEPLINE_SUPERVISED"
FIRST_PAUSE_S = 1.0
MAX_PAUSE_S = 30.0
STABLE_RUN_S = 60.0


def run_until_clean_exit(
    command: Sequence[str],
    *,
    max_restarts: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    first_pause_s: float = FIRST_PAUSE_S,
) -> int:
    """Run `command` until it exits 0; returns the last exit status.

    `max_restarts` bounds the restarts (tests); None means for ever, as a kiosk needs.
    """
    env = {**os.environ, ENV_SUPERVISED: "1"}
    pause = first_pause_s
    restarts = 0
    while True:
        started = time.monotonic()
        status = subprocess.call(list(command), env=env)
        if status == 0:
            return 0
        if max_restarts is not None and restarts >= max_restarts:
            log.error("the application exited with %s; no more restarts", status)
            return status
        lasted = time.monotonic() - started
        if lasted >= STABLE_RUN_S:
            pause = first_pause_s
        log.error(
            "the application exited with %s after %.0f s; restarting in %.0f s",
            status,
            lasted,
            pause,
        )
        restarts += 1
        sleep(pause)
        pause = min(pause * 2, MAX_PAUSE_S)


def is_restart_child() -> bool:
    return os.environ.get(ENV_SUPERVISED) == "1"
