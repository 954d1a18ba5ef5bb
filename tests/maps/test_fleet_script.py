"""The supervisor's fleet layer script: valid JavaScript (`node --check`), shipped as
package data, and read by `maps.fleet_script` from where the installed package puts it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

import maps
from maps.fleet_script import FLEET_SCRIPT_FILE, fleet_js

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(maps.__file__).resolve().parent / "fleet" / FLEET_SCRIPT_FILE


def test_fleet_script_is_valid_javascript() -> None:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is missing but CI is set: install Debian's nodejs (./run does)")
        pytest.skip("node is not installed (Debian package nodejs); CI runs this check")
    result = subprocess.run(
        [node, "--check", str(SCRIPT)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def test_fleet_script_is_package_data_and_read_whole() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "fleet/*.js" in pyproject["tool"]["setuptools"]["package-data"]["maps"]
    assert fleet_js() == SCRIPT.read_text(encoding="utf-8")
    assert "window.sweeplineFleet" in fleet_js()
