"""`--window-size WIDTHxHEIGHT` and the `window_size` config key it sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.options import load_config, parse_args
from client.config_keys import parse_window_size


@pytest.fixture(autouse=True)
def no_config_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWEEPLINE_CONFIG_DIR", str(tmp_path / "user"))
    monkeypatch.setenv("SWEEPLINE_SYSTEM_CONFIG", str(tmp_path / "system.toml"))


def test_the_command_line_sets_the_window_size() -> None:
    config = load_config(parse_args(["--window-size", "1024x600"]))
    assert config.window_pixels == (1024, 600)
    assert config.origins["window_size"] == "command line"
    assert load_config(parse_args([])).window_pixels == (1280, 800)


def test_a_bad_size_is_a_problem_and_the_default_stays() -> None:
    config = load_config(parse_args(["--window-size", "big"]))
    assert any("window_size" in str(p) for p in config.problems)
    assert config.window_pixels == (1280, 800)


@pytest.mark.parametrize("text", ["1024", "x600", "100x100", "1024x600x2", "-5x600"])
def test_what_is_not_a_size(text: str) -> None:
    with pytest.raises(ValueError, match=r"WIDTHxHEIGHT|at least"):
        parse_window_size(text)
