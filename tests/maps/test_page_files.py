"""The map page's .js/.css files: valid JavaScript (`node --check`) and shipped as package data.

Nothing else ever parses this JavaScript before QtWebEngine does on a tablet, so a syntax
error would otherwise first show as a blank map. Under CI a missing `node` fails rather
than skips, so the check cannot quietly stop running (`./run` installs Debian's nodejs).
"""

from __future__ import annotations

import fnmatch
import importlib.util
import os
import re
import shutil
import subprocess
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from types import ModuleType

import pytest

import maps
from maps.page import PRERENDERED_VARIANTS, TileLayerConfig, prerendered_path
from maps.page_script import PAGE_SCRIPT_FILES, PAGE_STYLE_FILES, page_css, page_js

REPO = Path(__file__).resolve().parents[2]
PAGE_DIR = Path(maps.__file__).resolve().parent / "page"
PAGE_FILES = sorted(p for p in PAGE_DIR.rglob("*") if p.is_file())
JS_FILES = [p for p in PAGE_FILES if p.suffix == ".js"]


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node") or shutil.which("nodejs")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("node is missing but CI is set: install Debian's nodejs (./run does)")
        pytest.skip("node is not installed (Debian package nodejs); CI runs this check")
    return found


def _node_check(node: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [node, "--check", str(path)], capture_output=True, text=True, timeout=60, check=False
    )


def test_page_folder_holds_the_page_files() -> None:
    # Every script and style sheet in the folder is part of the page, and nothing else is
    # there: a file added but not listed would silently never reach the page.
    assert sorted(p.name for p in JS_FILES) == sorted(PAGE_SCRIPT_FILES)
    assert sorted(p.name for p in PAGE_FILES if p.suffix == ".css") == sorted(PAGE_STYLE_FILES)
    assert {p.suffix for p in PAGE_FILES} == {".js", ".css"}


@pytest.mark.parametrize("path", JS_FILES, ids=[p.name for p in JS_FILES])
def test_page_script_is_valid_javascript(node: str, path: Path) -> None:
    result = _node_check(node, path)
    assert result.returncode == 0, f"node --check {path.name}:\n{result.stderr}"


def test_node_check_reports_a_syntax_error(node: str, tmp_path: Path) -> None:
    # The check above is only worth something if this `node` really rejects bad syntax.
    broken = tmp_path / "broken.js"
    broken.write_text("window.sweepline = (function (map) {\n  var x = ;\n})(m);\n")
    result = _node_check(node, broken)
    assert result.returncode != 0
    assert "SyntaxError" in result.stderr


@pytest.mark.parametrize("tiles", PRERENDERED_VARIANTS, ids=["basemap", "streets-only"])
def test_stored_pages_inline_scripts_are_valid_javascript(
    node: str, tiles: TileLayerConfig | None, tmp_path: Path
) -> None:
    """What actually runs: the scripts with their placeholders filled, plus folium's."""
    html = prerendered_path(tiles=tiles).read_text(encoding="utf-8")
    bodies = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert bodies
    for number, body in enumerate(bodies):
        script = tmp_path / f"inline-{number}.js"
        script.write_text(body, encoding="utf-8")
        result = _node_check(node, script)
        assert result.returncode == 0, f"inline script {number}:\n{result.stderr}"


def _package_data_patterns() -> list[str]:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns: list[str] = pyproject["tool"]["setuptools"]["package-data"]["maps"]
    return patterns


def _load_spec_support() -> ModuleType:
    # By path, as tests/packaging does: `packaging/` must never be an importable package.
    spec = importlib.util.spec_from_file_location(
        "spec_support", REPO / "packaging" / "spec_support.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", PAGE_FILES, ids=[p.name for p in PAGE_FILES])
def test_page_file_ships_as_package_data(path: Path) -> None:
    relative = path.relative_to(PAGE_DIR.parent).as_posix()
    # Found the way the app reads it...
    found = resources.files("maps").joinpath(*relative.split("/"))
    assert found.is_file()
    assert found.read_bytes() == path.read_bytes()
    # ...and in the wheel (setuptools' package-data globs are relative to the package)...
    assert any(fnmatch.fnmatch(relative, p) for p in _package_data_patterns()), relative
    # ...and in the PyInstaller build, in the package's folder where importlib.resources
    # looks in the frozen app.
    datas = _load_spec_support().package_data_files()
    assert (str(path), "maps/page") in datas


@pytest.mark.parametrize(
    ("built", "names"), [(page_js, PAGE_SCRIPT_FILES), (page_css, PAGE_STYLE_FILES)]
)
def test_page_text_is_the_files_in_order(built: Callable[[], str], names: tuple[str, ...]) -> None:
    text = built()
    at = [text.index((PAGE_DIR / name).read_text(encoding="utf-8").strip()) for name in names]
    assert at == sorted(at)
    assert at[0] == 0


def test_stored_pages_say_they_are_generated() -> None:
    for tiles in PRERENDERED_VARIANTS:
        html = prerendered_path(tiles=tiles).read_text(encoding="utf-8")
        assert "Rendered by maps/page.py from maps/page/*.js" in html
