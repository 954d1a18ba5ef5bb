"""What goes into the PyInstaller build, computed from the repository (no PyInstaller here).

`sweepline.spec` imports this module so the same lists can be checked quickly by the
test suite (`tests/packaging/`) without running a build: the data files that must ship
(Leaflet, the basemap, demo data, translations and icons when they exist, and the
packages' own data files named in `pyproject.toml`), the modules that are only imported
dynamically (keyring backends), the Qt modules the application
never uses, and the version read from `pyproject.toml`.

This folder deliberately has no `__init__.py`: a package named `packaging` would shadow
the PyPI `packaging` library for every tool run from the repository root.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "sweepline"

# Folders of `resources/` that ship, and the file kinds taken from each. Anything else in
# them (scratch files, editor backups) stays out of the build.
RESOURCE_FOLDERS: dict[str, tuple[str, ...]] = {
    "leaflet": ("*.js", "*.css", "*.png", "*.svg", "LICENSE", "PROVENANCE.md"),
    "basemap": ("*.mbtiles", "PROVENANCE.md", "LICENSE*"),
    "demo": ("*.geojson", "*.json", "PROVENANCE.md", "LICENSE*"),
    "translations": ("*.qm",),
    "sounds": ("*.wav",),
    "map_page": ("map-*.html",),
    "icons": ("*.png", "*.svg", "*.ico", "*.icns"),
    "styles": ("*.qss",),
}

# Imported by name at run time, so PyInstaller's import scan cannot see them.
HIDDEN_IMPORTS: tuple[str, ...] = (
    # keyring finds its backends through entry points and imports them by name.
    "keyring.backends.SecretService",
    "keyring.backends.kwallet",
    "keyring.backends.chainer",
    "keyring.backends.fail",
    "keyring.backends.null",
    "keyring.backends.Windows",
    "keyring.backends.macOS",
    "keyring.backends.libsecret",
    "qasync",
)

# Distributions whose metadata must ship: importlib.metadata reads it at run time
# (keyring finds its backends through entry points).
METADATA_OF: tuple[str, ...] = ("keyring",)

# PySide6 modules the application never imports; excluding them keeps their hooks from
# pulling in libraries, plugins and QML.
QT_EXCLUDES: tuple[str, ...] = tuple(
    f"PySide6.{name}"
    for name in (
        "Qt3DAnimation",
        "Qt3DCore",
        "Qt3DExtras",
        "Qt3DInput",
        "Qt3DLogic",
        "Qt3DRender",
        "QtBluetooth",
        "QtCharts",
        "QtConcurrent",
        "QtDataVisualization",
        "QtDesigner",
        "QtGraphs",
        "QtHelp",
        "QtHttpServer",
        "QtLocation",
        "QtMultimediaWidgets",
        "QtNfc",
        "QtPdf",
        "QtPdfWidgets",
        "QtQuick3D",
        "QtQuickControls2",
        "QtQuickTest",
        "QtQuickWidgets",
        "QtRemoteObjects",
        "QtScxml",
        "QtSensors",
        "QtSerialBus",
        "QtSerialPort",
        "QtSpatialAudio",
        "QtSql",
        "QtStateMachine",
        "QtSvgWidgets",
        "QtTest",
        "QtTextToSpeech",
        "QtUiTools",
        "QtWebSockets",
        "QtWebView",
        "QtXml",
        "QtAxContainer",
        "QtCanvasPainter",
    )
)

# Not needed at run time: dev tools and test libraries that are importable in the venv.
PY_EXCLUDES: tuple[str, ...] = (
    "tkinter",
    "pytest",
    "_pytest",
    "hypothesis",
    "mypy",
    "ruff",
    "shapely",
    "pytestqt",
    "IPython",
    "matplotlib",
    # The tablet's installer leaves out the city backend and the demo that embeds it
    # (`--demo` then says how to install it); the backend has its own deployment.
    "server",
    "demo",
    "fastapi",
    "starlette",
    "uvicorn",
    "argon2",
)

# Files dropped from the collected Qt tree after analysis (paths inside the bundle, glob).
# QtWebEngine needs its resources, locales we ship, QtWebEngineProcess and the
# platform plugins; the rest of the QML tree and the designer/assistant data are unused.
QT_PRUNE: tuple[str, ...] = (
    "PySide6/Qt/qml/*",
    "PySide6/Qt/plugins/designer/*",
    "PySide6/Qt/plugins/qmltooling/*",
    "PySide6/Qt/plugins/sceneparser/*",
    "PySide6/Qt/plugins/renderers/*",
    "PySide6/Qt/plugins/geometryloaders/*",
    "PySide6/Qt/plugins/multimedia/*",
    "PySide6/Qt/plugins/sensors/*",
    "PySide6/Qt/plugins/position/*",
    "PySide6/Qt/plugins/sqldrivers/*",
    "PySide6/Qt/plugins/texttospeech/*",
    "PySide6/Qt/plugins/canbus/*",
    "PySide6/Qt/plugins/help/*",
    "PySide6/Qt/resources/qtwebengine_devtools_resources.pak",
    "PySide6/Qt/plugins/egldeviceintegrations/*",
    "PySide6/Qt/plugins/printsupport/*",
    "PySide6/Qt/plugins/platformthemes/libqgtk3*",
    "PySide6/Qt/plugins/platforms/libqeglfs*",
    "PySide6/Qt/plugins/platforms/libqlinuxfb*",
    "PySide6/Qt/plugins/platforms/libqvnc*",
    "PySide6/Qt/plugins/platforms/libqvkkhrdisplay*",
    "PySide6/Qt/lib/libQt6Pdf*",
    "PySide6/Qt/lib/libQt6Quick3D*",
    "PySide6/Qt/lib/libQt63D*",
    "PySide6/Qt/lib/libQt6Designer*",
    "PySide6/Qt/lib/libQt6Charts*",
    "PySide6/Qt/lib/libQt6Multimedia*",
    "PySide6/Qt/lib/libQt6Graphs*",
    "PySide6/Qt/lib/libQt6DataVisualization*",
)

# Qt's own translations we keep (the app ships English and French (Canada)).
QT_TRANSLATIONS_KEPT: tuple[str, ...] = ("qtbase_fr.qm", "qtwebengine_fr.qm")
# QtWebEngine's Chromium locales we keep; the others are about 40 MB.
WEBENGINE_LOCALES_KEPT: tuple[str, ...] = ("en-US.pak", "fr.pak", "fr-CA.pak")


def version(root: Path = ROOT) -> str:
    """The one version number, as `pyproject.toml` gives it."""
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    return str(data["project"]["version"])


def data_files(root: Path = ROOT) -> list[tuple[str, str]]:
    """`(source file, folder inside the bundle)` for every resource that ships."""
    out: list[tuple[str, str]] = []
    resources = root / "resources"
    for folder, patterns in RESOURCE_FOLDERS.items():
        base = resources / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and any(fnmatch.fnmatch(path.name, p) for p in patterns):
                dest = path.parent.relative_to(root).as_posix()
                out.append((str(path), dest))
    return out


def package_data_files(root: Path = ROOT) -> list[tuple[str, str]]:
    """`(source file, folder inside the bundle)` for the package data in `pyproject.toml`.

    The frozen app reads these through importlib.resources, which PyInstaller answers from
    the package's folder in the bundle; reading `[tool.setuptools.package-data]` keeps the
    installer and the wheel shipping the same files from one list.
    """
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = data.get("tool", {}).get("setuptools", {}).get("package-data", {})
    out: list[tuple[str, str]] = []
    for package, patterns in package_data.items():
        if package == "resources":
            continue  # `data_files` ships these, folder by folder
        base = root.joinpath(*package.split("."))
        found = {path for pattern in patterns for path in base.glob(pattern) if path.is_file()}
        for path in sorted(found):
            out.append((str(path), path.parent.relative_to(root).as_posix()))
    return out


def is_pruned(bundle_path: str) -> bool:
    """True when a collected file (its path inside the bundle) is left out of the build."""
    path = bundle_path.replace("\\", "/")
    name = path.rsplit("/", 1)[-1]
    if fnmatch.fnmatch(path, "PySide6/Qt/translations/qtwebengine_locales/*"):
        return name not in WEBENGINE_LOCALES_KEPT
    if fnmatch.fnmatch(path, "PySide6/Qt/translations/*"):
        return name not in QT_TRANSLATIONS_KEPT
    return any(fnmatch.fnmatch(path, pattern) for pattern in QT_PRUNE)


# Shared libraries kept only if something that stays links to them: the Qt hooks collect
# every library the QML plugins need, and those plugins are pruned above.
LINKED_ONLY_PREFIXES: tuple[str, ...] = ("libQt6", "libicu", "libgtk-3", "libgdk-3")


def unlinked_libraries(
    binaries: Iterable[tuple[str, str, str]], needed_of: Callable[[str], Iterable[str]]
) -> set[str]:
    """Bundle paths of `LINKED_ONLY_PREFIXES` libraries nothing else kept links to.

    `binaries` are PyInstaller TOC entries `(bundle path, source path, kind)` already
    pruned; `needed_of(source)` gives the names a binary links (its DT_NEEDED entries).
    Everything not in those families is a root and stays.
    """

    def linked_only(dest: str) -> bool:
        return PurePosixPath(dest.replace("\\", "/")).name.startswith(LINKED_ONLY_PREFIXES)

    entries = list(binaries)
    candidates = {
        PurePosixPath(d.replace("\\", "/")).name: (d, src)
        for d, src, _ in entries
        if linked_only(d)
    }
    todo = [src for dest, src, _ in entries if not linked_only(dest)]
    kept: set[str] = set()
    while todo:
        for name in needed_of(todo.pop()):
            base = PurePosixPath(name).name
            if base in candidates and base not in kept:
                kept.add(base)
                todo.append(candidates[base][1])
    return {dest for name, (dest, _src) in candidates.items() if name not in kept}
