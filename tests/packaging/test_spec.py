"""Fast checks of what the PyInstaller build would contain, without building it.

The slow check (build, .deb, install into a scratch root, self-test of the result) is
`packaging/check.sh`.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from client.version import VERSION
from maps.assets import BASEMAP_MBTILES, LEAFLET_DIR, RESOURCES_DIR

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"


def load_support() -> ModuleType:
    # Loaded by path: `packaging` must never become an importable package (it would
    # shadow the PyPI `packaging` library).
    spec = importlib.util.spec_from_file_location("spec_support", PACKAGING / "spec_support.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


support = load_support()


def test_packaging_folder_is_not_a_package() -> None:
    assert not (PACKAGING / "__init__.py").exists()


def test_one_version_everywhere() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert support.version() == pyproject["project"]["version"] == VERSION


def test_data_files_hold_every_bundled_asset() -> None:
    files = support.data_files()
    sources = {Path(src) for src, _dest in files}
    for path in LEAFLET_DIR.rglob("*"):
        if path.is_file():
            assert path in sources, path
    assert BASEMAP_MBTILES in sources
    assert any(p.suffix == ".geojson" and p.parent.name == "demo" for p in sources)
    for src, dest in files:
        # Each file lands where maps.assets looks for it, relative to the bundle root.
        assert Path(src).parent.relative_to(REPO).as_posix() == dest
        assert Path(src).is_relative_to(RESOURCES_DIR)


def test_data_files_skip_unlisted_kinds(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nversion = "9"\n', encoding="utf-8")
    leaflet = tmp_path / "resources" / "leaflet"
    leaflet.mkdir(parents=True)
    for name in ("leaflet.js", "leaflet.js~", "notes.txt", "LICENSE"):
        (leaflet / name).write_text("x", encoding="utf-8")
    translations = tmp_path / "resources" / "translations"
    translations.mkdir()
    (translations / "sweepline_fr_CA.qm").write_bytes(b"qm")
    (translations / "sweepline_fr_CA.ts").write_text("<TS/>", encoding="utf-8")
    found = sorted(Path(src).name for src, _ in support.data_files(tmp_path))
    assert found == ["LICENSE", "leaflet.js", "sweepline_fr_CA.qm"]
    assert support.version(tmp_path) == "9"


def test_hidden_imports_exist() -> None:
    for name in support.HIDDEN_IMPORTS:
        assert importlib.util.find_spec(name) is not None, name


@pytest.mark.parametrize(
    ("path", "pruned"),
    [
        ("PySide6/Qt/qml/QtQuick/Controls/libqtquickcontrols2plugin.so", True),
        ("PySide6/Qt/translations/qtwebengine_locales/de.pak", True),
        ("PySide6/Qt/translations/qtwebengine_locales/fr.pak", False),
        ("PySide6/Qt/translations/qtwebengine_locales/en-US.pak", False),
        ("PySide6/Qt/translations/qtbase_de.qm", True),
        ("PySide6/Qt/translations/qtbase_fr.qm", False),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", False),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", False),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", True),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", True),
        ("PySide6/Qt/lib/libQt6WebEngineCore.so.6", False),
        ("PySide6/Qt/resources/qtwebengine_resources.pak", False),
        ("PySide6/Qt/resources/qtwebengine_devtools_resources.pak", True),
        ("resources/leaflet/leaflet.js", False),
    ],
)
def test_qt_pruning(path: str, pruned: bool) -> None:
    assert support.is_pruned(path) is pruned


def test_unlinked_libraries_are_left_out() -> None:
    binaries = [
        ("PySide6/QtWebEngineWidgets.abi3.so", "/x/QtWebEngineWidgets.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6WebEngineCore.so.6", "/x/libQt6WebEngineCore.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Quick.so.6", "/x/libQt6Quick.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6QuickControls2.so.6", "/x/libQt6QuickControls2.so.6", "BINARY"),
        ("PySide6/Qt/lib/libicuuc.so.73", "/x/libicuuc.so.73", "BINARY"),
        ("libssl.so.3", "/usr/lib/libssl.so.3", "BINARY"),
    ]
    needed = {
        "/x/QtWebEngineWidgets.abi3.so": ["libQt6WebEngineCore.so.6"],
        "/x/libQt6WebEngineCore.so.6": ["libQt6Quick.so.6", "libc.so.6"],
        "/x/libQt6Quick.so.6": ["libicuuc.so.73"],
        "/x/libQt6QuickControls2.so.6": ["libQt6Quick.so.6"],
    }
    dropped = support.unlinked_libraries(binaries, lambda src: needed.get(src, []))
    assert dropped == {"PySide6/Qt/lib/libQt6QuickControls2.so.6"}


def test_spec_and_scripts_parse() -> None:
    compile((PACKAGING / "sweepline.spec").read_text(encoding="utf-8"), "sweepline.spec", "exec")
    bash = shutil.which("bash")
    assert bash is not None
    for script in ("build_deb.sh", "check.sh", "sweepline-launcher.sh", "macos/build_app.sh"):
        subprocess.run([bash, "-n", str(PACKAGING / script)], check=True)


def test_deb_declares_the_xcb_libraries_the_bundle_needs() -> None:
    text = (PACKAGING / "build_deb.sh").read_text(encoding="utf-8")
    depends = next(line for line in text.splitlines() if line.startswith("Depends:"))
    for package in ("libxcb-icccm4", "libxcb-keysyms1", "libnss3", "libxkbcommon-x11-0"):
        assert package in depends


def test_config_template_parses_and_names_only_known_keys() -> None:
    from client.config import LOCK_KEY
    from client.config_keys import KEY_BY_NAME

    text = (PACKAGING / "config.toml.example").read_text(encoding="utf-8")
    uncommented = "\n".join(line.lstrip("# ") for line in text.splitlines() if "=" in line)
    data = tomllib.loads(uncommented)
    assert set(data) <= {*KEY_BY_NAME, LOCK_KEY}
