"""Managed configuration: the system file, then the user's, then the command line.

City IT writes `/etc/sweepline/config.toml` (`%ProgramData%\\Sweepline\\config.toml` on
Windows); an operator's own file sits in the platform config folder (or in
`$SWEEPLINE_CONFIG_DIR`, for tests and support); command-line options come last. Each
layer overrides the one before, except for keys the system file lists in `locked`.

Reading never fails: a file that does not parse, an unknown key or a bad value becomes a
`Problem` naming the file and line, and the previous layer's value (ultimately the safe
default) stays in force. Every key is described in `docs/config.md`; a test checks that.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Final

from client.config_keys import (
    CONFIG_VERSION,
    KEY_BY_NAME,
    KEYS,
    LOCKABLE,
    Key,
    parse_window_size,
)
from client.paths import system_config_path, user_config_path, user_data_dir
from client.tls import TlsPolicy

COMMAND_LINE: Final = "command line"
LOCK_KEY: Final = "locked"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in a config source, said with where it is."""

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Config:
    config_version: int = CONFIG_VERSION
    server_url: str = ""
    ca_certificate: str = ""
    ca_only: bool = False
    device_id: str = ""
    kiosk: bool = False
    kiosk_exit_shortcut: str = "Ctrl+Alt+Shift+Q"
    locale: str = "en_CA"
    sound_cues: bool = True
    sound_volume: float = 0.6
    window_size: str = "1280x800"
    tile_source: str = "bundled"
    keyring_policy: str = "memory"
    gps_source: str = "gpsd"
    gps_address: str = "127.0.0.1:2947"
    gps_serial_device: str = ""
    gps_baud: int = 9600
    gps_file: str = ""
    data_dir: str = ""
    log_level: str = "INFO"
    clock_tolerance_s: float = 120.0
    # Where each value came from ("default", a file path, "command line").
    origins: Mapping[str, str] = field(default_factory=dict)
    locked: frozenset[str] = frozenset()
    problems: tuple[Problem, ...] = ()
    files_read: tuple[Path, ...] = ()

    @property
    def tls(self) -> TlsPolicy:
        """The one TLS policy every client of this tablet is built with."""
        return TlsPolicy(self.ca_certificate, self.ca_only)

    @property
    def window_pixels(self) -> tuple[int, int]:
        """`window_size` as (width, height); checked when the config was read."""
        return parse_window_size(self.window_size)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir) if self.data_dir else user_data_dir()

    def values(self) -> dict[str, Any]:
        """The effective value of every key (none of them is a secret)."""
        return {k.name: getattr(self, k.name) for k in KEYS}

    def with_values(self, **changes: Any) -> Config:
        """A copy with some values replaced (for the demo's embedded server)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Config(**values)

    def to_toml(self) -> str:
        lines = [f"# effective configuration (sweepline config_version {CONFIG_VERSION})"]
        for name, value in self.values().items():
            origin = self.origins.get(name, "default")
            lock = ", locked" if name in self.locked else ""
            lines.append(f"{name} = {_toml_value(value)}  # {origin}{lock}")
        return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


# -- reading --------------------------------------------------------------------------


class _Layers:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {k.name: k.default for k in KEYS}
        self.origins: dict[str, str] = {k.name: "default" for k in KEYS}
        self.locked: set[str] = set()
        self.locked_by: str = ""
        self.problems: list[Problem] = []
        self.files: list[Path] = []

    def problem(self, source: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(source, line, message))

    def set(self, source: str, line: int | None, name: str, raw: Any, *, text: bool) -> None:
        key = KEY_BY_NAME.get(name)
        if key is None:
            import difflib  # only for a misspelt key

            close = difflib.get_close_matches(name, [*KEY_BY_NAME, LOCK_KEY], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.problem(source, line, f"unknown key {name!r}{hint}; ignored")
            return
        if name in self.locked:
            self.problem(
                source, line, f"{name!r} is locked by {self.locked_by}; this value is ignored"
            )
            return
        value, error = _coerce(key, raw, text=text)
        if error is None and key.check is not None:
            error = key.check(value)
        if error is not None:
            self.problem(
                source,
                line,
                f"bad value for {name!r}: {raw!r} ({error}); keeping {self.values[name]!r}",
            )
            return
        self.values[name] = value
        self.origins[name] = source

    def read_file(self, path: Path, *, system: bool) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as exc:
            self.problem(str(path), None, f"cannot read the file ({exc}); it is ignored")
            return
        self.files.append(path)
        source = str(path)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"at line (\d+)", str(exc))
            line = int(match.group(1)) if match else None
            self.problem(source, line, f"not valid TOML ({exc}); the whole file is ignored")
            return
        version = data.get("config_version")
        if isinstance(version, int) and version > CONFIG_VERSION:
            self.problem(
                source,
                _line_of(text, "config_version"),
                f"written for config_version {version}; this Sweepline reads "
                f"{CONFIG_VERSION}, so keys it does not know are ignored",
            )
        locks = data.pop(LOCK_KEY, None)
        for name, raw in data.items():
            self.set(source, _line_of(text, name), name, raw, text=False)
        if locks is not None:
            self._lock(source, _line_of(text, LOCK_KEY), locks, system=system)

    def _lock(self, source: str, line: int | None, locks: Any, *, system: bool) -> None:
        if not system:
            self.problem(source, line, "only the system file can lock keys; 'locked' ignored")
            return
        if not isinstance(locks, list) or not all(isinstance(n, str) for n in locks):
            self.problem(source, line, "'locked' must be a list of key names; ignored")
            return
        for name in locks:
            if name in LOCKABLE:
                self.locked.add(name)
            elif name in KEY_BY_NAME:
                self.problem(source, line, f"{name!r} cannot be locked; ignored")
            else:
                self.problem(source, line, f"cannot lock unknown key {name!r}; ignored")
        self.locked_by = source


def _coerce(key: Key, raw: Any, *, text: bool) -> tuple[Any, str | None]:
    """The value as the key's type, or an explanation. `text`: raw is a command-line string."""
    if text and isinstance(raw, str):
        if key.kind is bool:
            lowered = raw.strip().lower()
            if lowered in ("true", "yes", "1", "on"):
                return True, None
            if lowered in ("false", "no", "0", "off"):
                return False, None
            return raw, "expected true or false"
        if key.kind in (int, float):
            try:
                return key.kind(raw), None
            except ValueError:
                return raw, f"expected {'a whole number' if key.kind is int else 'a number'}"
        return raw, None
    if key.kind is float and isinstance(raw, int) and not isinstance(raw, bool):
        return float(raw), None
    if type(raw) is not key.kind:
        expected = {
            str: "a string",
            bool: "true or false",
            int: "a whole number",
            float: "a number",
        }[key.kind]
        return raw, f"expected {expected}"
    return raw, None


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(
        rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*[=.]"""
    )
    table = re.compile(rf"""^\s*\[+\s*(?:{re.escape(key)}|"{re.escape(key)}")\s*[\].]""")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line) or table.match(line):
            return number
    return None


def load_config(
    *,
    system_path: Path | None = None,
    user_path: Path | None = None,
    command_line: Mapping[str, str] | None = None,
) -> Config:
    """The effective configuration: defaults < system file < user file < command line."""
    layers = _Layers()
    layers.read_file(system_path or system_config_path(), system=True)
    layers.read_file(user_path or user_config_path(), system=False)
    for name, raw in (command_line or {}).items():
        layers.set(COMMAND_LINE, None, name, raw, text=True)
    return Config(
        **layers.values,
        origins=dict(layers.origins),
        locked=frozenset(layers.locked),
        problems=tuple(layers.problems),
        files_read=tuple(layers.files),
    )


def parse_assignment(text: str) -> tuple[str, str]:
    """`KEY=VALUE` from the command line (`--set`), split once; ValueError if malformed."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ValueError(f"expected KEY=VALUE, got {text!r}")
    return name.strip(), value
