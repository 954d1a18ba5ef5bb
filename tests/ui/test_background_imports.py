"""BackgroundImports: modules load on a worker thread while Qt's events keep running."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from ui.background_imports import BackgroundImports

NAMES = ("bg_slow_module", "bg_second_module", "bg_broken_module")


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "bg_slow_module.py").write_text(
        "import threading, time\nTHREAD = threading.current_thread().name\ntime.sleep(0.3)\n",
        encoding="utf-8",
    )
    (tmp_path / "bg_second_module.py").write_text("VALUE = 2\n", encoding="utf-8")
    (tmp_path / "bg_broken_module.py").write_text(
        "raise RuntimeError('no such table: kv')\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in NAMES:
        sys.modules.pop(name, None)


def test_modules_load_on_a_worker_while_qt_events_run(qapp, modules: Path) -> None:
    interval = sys.getswitchinterval()
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    try:
        imports = BackgroundImports(["bg_slow_module"], ["bg_second_module"])
        imports.wait(0)
    finally:
        timer.stop()
    assert sys.modules["bg_slow_module"].THREAD == "sweepline-imports"
    # The timer kept firing while the slow module was being imported (30 chances).
    assert len(ticks) >= 5
    imports.wait()
    assert sys.modules["bg_second_module"].VALUE == 2
    assert sys.getswitchinterval() == interval


def test_a_module_that_cannot_be_imported_is_reported(qapp, modules: Path) -> None:
    imports = BackgroundImports(["bg_broken_module"], ["bg_second_module"])
    with pytest.raises(ImportError, match="no such table: kv"):
        imports.wait(0)
    assert "bg_second_module" not in sys.modules  # nothing after it was loaded
