"""Where the tablet's files live on each platform.

The user's folders come from platformdirs (XDG on Linux, Known Folders on Windows, the
Library on macOS) so they match what IT and support tools expect there. The system file is
our own policy, not a platform convention: IT deploys `/etc/sweepline/config.toml`
(`%ProgramData%\\Sweepline\\config.toml` on Windows), and the environment variables let
tests and support point both files elsewhere.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Final

import platformdirs

FILE_NAME: Final = "config.toml"
ENV_CONFIG_DIR: Final = "SWEEPLINE_CONFIG_DIR"
ENV_SYSTEM_CONFIG: Final = "SWEEPLINE_SYSTEM_CONFIG"
# Lower case where folder names are by custom (XDG), capitalised where they are shown.
_APP_NAME: Final = "sweepline" if sys.platform.startswith("linux") else "Sweepline"


def system_config_path() -> Path:
    """The administrator's file (`$SWEEPLINE_SYSTEM_CONFIG` points it elsewhere)."""
    override = os.environ.get(ENV_SYSTEM_CONFIG)
    if override:
        return Path(override)
    if sys.platform == "win32":
        program_data = os.environ.get("PROGRAMDATA") or r"C:\ProgramData"
        return Path(program_data) / "Sweepline" / FILE_NAME
    if sys.platform == "darwin":
        return Path("/Library/Application Support/Sweepline") / FILE_NAME
    return Path("/etc/sweepline") / FILE_NAME


def user_config_dir() -> Path:
    """The operator's own settings; roams with a Windows profile like any setting."""
    override = os.environ.get(ENV_CONFIG_DIR)
    if override:
        return Path(override)
    return platformdirs.user_config_path(_APP_NAME, appauthor=False, roaming=True)


def user_config_path() -> Path:
    return user_config_dir() / FILE_NAME


def user_data_dir() -> Path:
    """Where the tablet database lives unless `data_dir` says otherwise: local, never
    roaming, because a database must not follow a profile to another machine."""
    return platformdirs.user_data_path(_APP_NAME, appauthor=False, roaming=False)


def user_log_dir() -> Path:
    return platformdirs.user_log_path(_APP_NAME, appauthor=False)
