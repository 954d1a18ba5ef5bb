"""Where the tablet's files live: platform folders, and the variables support uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from client import paths
from client.config import load_config


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_environment_variables_point_the_files_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = write(tmp_path / "sys.toml", 'locale = "fr_CA"\n')
    user = write(tmp_path / "support" / "config.toml", 'gps_source = "gpsd"\n')
    monkeypatch.setenv(paths.ENV_SYSTEM_CONFIG, str(system))
    monkeypatch.setenv(paths.ENV_CONFIG_DIR, str(user.parent))
    assert paths.system_config_path() == system
    assert paths.user_config_path() == user
    config = load_config()
    assert (config.locale, config.gps_source) == ("fr_CA", "gpsd")


def test_platform_folders_follow_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "d"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "s"))
    monkeypatch.delenv(paths.ENV_CONFIG_DIR, raising=False)
    assert paths.user_config_dir() == tmp_path / "c" / "sweepline"
    assert paths.user_data_dir() == tmp_path / "d" / "sweepline"
    assert paths.user_log_dir() == tmp_path / "s" / "sweepline" / "log"
    assert load_config(system_path=tmp_path / "none.toml").data_path == tmp_path / "d" / "sweepline"
