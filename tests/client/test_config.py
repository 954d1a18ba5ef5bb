"""Managed config: precedence, locking, problems with file and line, every key documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from client.config import COMMAND_LINE, load_config
from client.config_keys import KEYS

REPO = Path(__file__).resolve().parents[2]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def system(tmp_path: Path) -> Path:
    return tmp_path / "etc" / "sweepline" / "config.toml"


@pytest.fixture
def user(tmp_path: Path) -> Path:
    return tmp_path / "user" / "config.toml"


def test_defaults_without_any_file(system: Path, user: Path) -> None:
    config = load_config(system_path=system, user_path=user)
    assert config.problems == ()
    assert config.files_read == ()
    assert config.values() == {k.name: k.default for k in KEYS}
    assert set(config.origins.values()) == {"default"}


def test_each_layer_overrides_the_previous(system: Path, user: Path) -> None:
    write(system, 'server_url = "https://sweep.city.example"\nlocale = "fr_CA"\nkiosk = true\n')
    write(user, 'locale = "en_CA"\ngps_source = "gpsd"\n')
    config = load_config(
        system_path=system, user_path=user, command_line={"gps_source": "nmea-tcp"}
    )
    assert config.problems == ()
    assert config.server_url == "https://sweep.city.example"
    assert config.kiosk is True
    assert config.locale == "en_CA"
    assert config.gps_source == "nmea-tcp"
    assert config.origins["server_url"] == str(system)
    assert config.origins["locale"] == str(user)
    assert config.origins["gps_source"] == COMMAND_LINE
    assert config.files_read == (system, user)


def test_system_file_locks_keys_against_user_and_command_line(system: Path, user: Path) -> None:
    write(
        system,
        'server_url = "https://sweep.city.example"\n'
        "kiosk = true\n"
        'locked = ["server_url", "kiosk"]\n',
    )
    write(user, '# mine\nserver_url = "https://evil.example"\n')
    config = load_config(
        system_path=system, user_path=user, command_line={"kiosk": "false", "locale": "fr_CA"}
    )
    assert config.server_url == "https://sweep.city.example"
    assert config.kiosk is True
    assert config.locale == "fr_CA"
    assert config.locked == {"server_url", "kiosk"}
    assert [str(p) for p in config.problems] == [
        f"{user}:2: 'server_url' is locked by {system}; this value is ignored",
        f"command line: 'kiosk' is locked by {system}; this value is ignored",
    ]


def test_only_the_system_file_can_lock(system: Path, user: Path) -> None:
    write(user, 'locale = "fr_CA"\nlocked = ["locale"]\n')
    config = load_config(system_path=system, user_path=user, command_line={"locale": "en_CA"})
    assert config.locale == "en_CA"
    assert config.locked == frozenset()
    assert [(p.source, p.line) for p in config.problems] == [(str(user), 2)]
    assert "only the system file can lock" in config.problems[0].message


def test_unlockable_and_unknown_lock_names_are_reported(system: Path, user: Path) -> None:
    write(system, 'locked = ["log_level", "colour"]\n')
    config = load_config(system_path=system, user_path=user)
    assert config.locked == frozenset()
    assert [p.message for p in config.problems] == [
        "'log_level' cannot be locked; ignored",
        "cannot lock unknown key 'colour'; ignored",
    ]


def test_bad_values_are_reported_with_file_and_line_and_previous_value_kept(
    system: Path, user: Path
) -> None:
    write(system, 'locale = "fr_CA"\n')
    write(
        user,
        "# operator file\n"
        "\n"
        'locale = "de_DE"\n'
        'kiosk = "yes"\n'
        'server_url = "http://sweep.city.example"\n'
        "clock_tolerance_s = -3\n"
        'device_id = "tablet 7"\n',
    )
    config = load_config(system_path=system, user_path=user)
    assert config.locale == "fr_CA"
    assert config.kiosk is False
    assert config.server_url == ""
    assert config.clock_tolerance_s == 120.0
    assert config.device_id == ""
    lines = [(p.source, p.line) for p in config.problems]
    assert lines == [(str(user), n) for n in (3, 4, 5, 6, 7)]
    assert str(config.problems[0]) == (
        f"{user}:3: bad value for 'locale': 'de_DE' (expected one of en_CA, fr_CA); keeping 'fr_CA'"
    )
    assert "expected true or false" in config.problems[1].message
    assert "must be https://" in config.problems[2].message


def test_unknown_keys_are_reported_with_a_suggestion(system: Path, user: Path) -> None:
    write(user, 'locale = "fr_CA"\nserver_ulr = "https://x.example"\n\n[colours]\nday = 1\n')
    config = load_config(system_path=system, user_path=user)
    assert config.locale == "fr_CA"
    assert [str(p) for p in config.problems] == [
        f"{user}:2: unknown key 'server_ulr' (did you mean 'server_url'?); ignored",
        f"{user}:4: unknown key 'colours'; ignored",
    ]


def test_a_file_that_is_not_toml_is_ignored_with_its_line(system: Path, user: Path) -> None:
    write(system, 'kiosk = true\nlocale = "fr_CA\n')
    config = load_config(system_path=system, user_path=user)
    assert config.kiosk is False
    assert config.locale == "en_CA"
    (problem,) = config.problems
    assert (problem.source, problem.line) == (str(system), 2)
    assert "not valid TOML" in problem.message


def test_a_newer_config_version_is_reported_and_known_keys_still_apply(
    system: Path, user: Path
) -> None:
    write(system, 'config_version = 7\nlocale = "fr_CA"\n')
    config = load_config(system_path=system, user_path=user)
    assert config.locale == "fr_CA"
    assert config.config_version == 7
    assert [(p.line, "written for config_version 7" in p.message) for p in config.problems] == [
        (1, True)
    ]


def test_command_line_values_are_parsed_from_text(system: Path, user: Path) -> None:
    config = load_config(
        system_path=system,
        user_path=user,
        command_line={"kiosk": "yes", "clock_tolerance_s": "30", "gps_address": "nope"},
    )
    assert config.kiosk is True
    assert config.clock_tolerance_s == 30.0
    assert config.gps_address == "127.0.0.1:2947"
    assert [str(p) for p in config.problems] == [
        "command line: bad value for 'gps_address': 'nope' (expected host:port, "
        "e.g. 127.0.0.1:2947); keeping '127.0.0.1:2947'"
    ]


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://sweep.city.example", True),
        ("https://sweep.city.example:8443/base", True),
        ("http://127.0.0.1:8765", True),
        ("http://localhost:8765", True),
        ("http://sweep.city.example", False),
        ("https://user:secret@sweep.city.example", False),
        ("ftp://sweep.city.example", False),
        ("https://sweep.city.example/?next=x", False),
    ],
)
def test_server_url_rules(url: str, ok: bool, system: Path, user: Path) -> None:
    config = load_config(system_path=system, user_path=user, command_line={"server_url": url})
    assert (config.server_url == url) is ok
    assert (config.problems == ()) is ok


def test_effective_config_round_trips_through_toml(system: Path, user: Path) -> None:
    write(system, 'server_url = "https://sweep.city.example"\nlocked = ["server_url"]\n')
    config = load_config(system_path=system, user_path=user)
    again = write(user.parent / "again.toml", config.to_toml())
    reread = load_config(system_path=again, user_path=user)
    assert reread.problems == ()
    assert reread.values() == config.values()
    assert "locked" in config.to_toml()


def test_every_key_is_documented() -> None:
    text = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `([a-z_]+)`", text, flags=re.MULTILINE))
    assert documented == {k.name for k in KEYS} | {"locked"}
    for key in KEYS:
        section = text.split(f"### `{key.name}`", 1)[1].split("\n### ", 1)[0]
        assert "Default" in section, key.name
        assert ("Lockable: yes" in section) is key.lockable, key.name
