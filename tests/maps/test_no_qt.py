"""maps/ must work where Qt is absent: import every module with Qt imports forbidden."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import maps

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("PySide6", "shiboken6", "qasync", "pyqtgraph")

SCRIPT = """
import importlib, sys
class Forbid:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {forbidden!r}:
            raise ImportError("Qt imported from maps/: " + name)
        return None
sys.meta_path.insert(0, Forbid())
for name in {modules!r}:
    importlib.import_module(name)
"""


def test_maps_imports_no_qt():
    modules = ["maps"] + [f"maps.{m.name}" for m in pkgutil.iter_modules(maps.__path__)]
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(forbidden=FORBIDDEN, modules=modules)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
