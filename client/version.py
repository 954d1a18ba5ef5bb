"""The one version number of Sweepline, as `pyproject.toml` states it.

Read from `pyproject.toml` next to the packages (a source checkout, and the PyInstaller
bundle, which ships that file); from the installed distribution's metadata otherwise.
The window title, the logs, the self-test, the diagnostics bundle and the installers
all show this value, so one edit of `pyproject.toml` changes them all.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Final

_PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
UNKNOWN: Final = "0+unknown"


def read_version(pyproject: Path = _PYPROJECT) -> str:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        return str(data["project"]["version"])
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError):
        pass
    from importlib import metadata  # tens of milliseconds: only when there is no file

    try:
        return metadata.version("sweepline")
    except metadata.PackageNotFoundError:
        return UNKNOWN


VERSION: Final = read_version()
