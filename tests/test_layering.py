"""Qt stays at the edge: the core packages import with every Qt module made unimportable."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO

CORE_PACKAGES = ("wire", "coverage", "client", "staff", "sync", "app", "maps", "server")

_PROBE = r"""
import importlib, pkgutil, sys

QT = ("PySide6", "shiboken6", "qasync", "pyqtgraph", "PyQt5", "PyQt6")

class BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in QT:
            raise ImportError(f"Qt import of {name!r} from the core")
        return None

sys.meta_path.insert(0, BlockQt())
imported = 0
for package in sys.argv[1:]:
    pkg = importlib.import_module(package)
    for info in pkgutil.walk_packages(pkg.__path__, package + "."):
        importlib.import_module(info.name)
        imported += 1
print(imported)
"""


def test_core_packages_import_without_qt() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *CORE_PACKAGES],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 10


def test_no_core_source_mentions_qt_imports() -> None:
    offenders = []
    for package in CORE_PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                stripped = line.strip()
                if stripped.startswith(("import ", "from ")) and any(
                    qt in stripped for qt in ("PySide6", "shiboken6", "qasync", "pyqtgraph")
                ):
                    offenders.append(f"{path.relative_to(REPO)}: {stripped}")
    assert offenders == []


_CYCLES = r"""
import itertools, sys
import grimp

packages = sys.argv[1:]
graph = grimp.build_graph(*packages)
edges = {
    (a, b)
    for a, b in itertools.permutations(packages, 2)
    if graph.chain_exists(importer=a, imported=b, as_packages=True)
}
print(sorted((a, b) for a, b in edges if (b, a) in edges))
"""


def test_no_import_cycle_between_our_packages() -> None:
    # chain_exists follows indirect imports too, so any cycle through any number of
    # packages shows up as a pair importing each other.
    packages = (*CORE_PACKAGES, "ui", "demo")
    result = subprocess.run(
        [sys.executable, "-c", _CYCLES, *packages],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
