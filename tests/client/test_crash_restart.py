"""Kiosk restart on crash: the restart watcher reruns the application until it exits cleanly."""

from __future__ import annotations

import sys
from pathlib import Path

from client.crash_restart import run_until_clean_exit

CRASH_TWICE = """
import os, sys
from pathlib import Path
counter = Path(sys.argv[1])
runs = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(runs))
assert os.environ["SWEEPLINE_SUPERVISED"] == "1"
sys.exit(0 if runs >= 3 else 70)
"""


def test_restarts_after_crashes_until_a_clean_exit(tmp_path: Path) -> None:
    counter = tmp_path / "runs"
    pauses: list[float] = []
    status = run_until_clean_exit(
        [sys.executable, "-c", CRASH_TWICE, str(counter)], sleep=pauses.append, first_pause_s=1.0
    )
    assert status == 0
    assert counter.read_text() == "3"
    assert pauses == [1.0, 2.0]


def test_gives_up_after_max_restarts_when_asked(tmp_path: Path) -> None:
    pauses: list[float] = []
    status = run_until_clean_exit(
        [sys.executable, "-c", "raise SystemExit(3)"], max_restarts=2, sleep=pauses.append
    )
    assert status == 3
    assert len(pauses) == 2
