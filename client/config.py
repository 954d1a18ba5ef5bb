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

import ipaddress
import os
import re
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from client.tls import TlsPolicy

CONFIG_VERSION: Final = 1
FILE_NAME: Final = "config.toml"
ENV_CONFIG_DIR: Final = "SWEEPLINE_CONFIG_DIR"
ENV_SYSTEM_CONFIG: Final = "SWEEPLINE_SYSTEM_CONFIG"
COMMAND_LINE: Final = "command line"
LOCK_KEY: Final = "locked"

LOCALES: Final = ("en_CA", "fr_CA")
KEYRING_POLICIES: Final = ("memory", "require")
GPS_SOURCES: Final = ("gpsd", "nmea-serial", "nmea-tcp", "nmea-file", "simulator")
LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR")
MIN_WINDOW: Final = (600, 480)
_DEVICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SHORTCUT = re.compile(r"((Ctrl|Alt|Shift|Meta)\+){1,4}[A-Za-z0-9]|F([1-9]|1[0-9]|2[0-4])")


# -- where the files are --------------------------------------------------------------


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


def _xdg(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable)
    return Path(value) if value and Path(value).is_absolute() else Path.home() / fallback


def user_config_dir() -> Path:
    override = os.environ.get(ENV_CONFIG_DIR)
    if override:
        return Path(override)
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "Sweepline"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Sweepline"
    return _xdg("XDG_CONFIG_HOME", ".config") / "sweepline"


def user_data_dir() -> Path:
    """Where the tablet database lives unless `data_dir` says otherwise."""
    if sys.platform == "win32":
        return (
            Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "Sweepline"
        )
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Sweepline"
    return _xdg("XDG_DATA_HOME", ".local/share") / "sweepline"


def user_log_dir() -> Path:
    """The platform's log folder for this user (what platformdirs calls user_log_dir)."""
    if sys.platform == "win32":
        return user_data_dir() / "Logs"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Logs" / "Sweepline"
    return _xdg("XDG_STATE_HOME", ".local/state") / "sweepline" / "log"


def user_config_path() -> Path:
    return user_config_dir() / FILE_NAME


# -- the schema -----------------------------------------------------------------------


def _choice(options: tuple[str, ...]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in options else f"expected one of {', '.join(options)}"

    return check


def _check_server_url(value: Any) -> str | None:
    if value == "":
        return None
    parts = urlsplit(value)
    if parts.username or parts.password:
        return "a user name or password in the URL is not allowed"
    if parts.query or parts.fragment or not parts.hostname:
        return "expected https://host[:port][/path]"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and _is_loopback(parts.hostname):
        return None
    return "must be https:// (plain http only to this machine, 127.0.0.1 or localhost)"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_absolute_path(value: Any) -> str | None:
    if value == "" or Path(value).is_absolute():
        return None
    return "expected an absolute path"


def _check_device_id(value: Any) -> str | None:
    if value == "" or _DEVICE_ID.fullmatch(value):
        return None
    return "expected 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"


def _check_shortcut(value: Any) -> str | None:
    if value == "" or _SHORTCUT.fullmatch(value):
        return None
    return "expected modifiers and a key, e.g. Ctrl+Alt+Shift+Q, or a function key F1-F24"


def _check_tile_source(value: Any) -> str | None:
    if value in ("bundled", "none"):
        return None
    if value.startswith("https://") and all(p in value for p in ("{z}", "{x}", "{y}")):
        return None
    return "expected bundled, none, or an https:// URL with {z}, {x} and {y}"


def _check_gps_address(value: Any) -> str | None:
    host, sep, port = value.rpartition(":")
    if sep and host and port.isdigit() and 0 < int(port) < 65536:
        return None
    return "expected host:port, e.g. 127.0.0.1:2947"


def _check_baud(value: Any) -> str | None:
    if value in (4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800):
        return None
    return "expected a serial baud rate such as 4800, 9600, 38400 or 115200"


def _check_version(value: Any) -> str | None:
    return None if value >= 1 else "expected 1 or more"


def parse_window_size(text: str) -> tuple[int, int]:
    """The text WIDTHxHEIGHT (e.g. 1024x600) as pixels; ValueError when it is not one."""
    width, sep, height = text.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise ValueError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1024x600")
    size = int(width), int(height)
    if not (MIN_WINDOW[0] <= size[0] <= 10_000 and MIN_WINDOW[1] <= size[1] <= 10_000):
        raise ValueError(f"{text!r}: at least {MIN_WINDOW[0]}x{MIN_WINDOW[1]}")
    return size


def _check_window_size(value: Any) -> str | None:
    try:
        parse_window_size(str(value))
    except ValueError as exc:
        return str(exc)
    return None


def _check_volume(value: Any) -> str | None:
    return None if 0.0 <= value <= 1.0 else "expected a number from 0 to 1"


def _check_positive(value: Any) -> str | None:
    return None if value > 0 else "expected a number above 0"


@dataclass(frozen=True, slots=True)
class Key:
    name: str
    kind: type
    default: Any
    summary: str
    lockable: bool = True
    check: Callable[[Any], str | None] | None = None


KEYS: Final[tuple[Key, ...]] = (
    Key("config_version", int, CONFIG_VERSION, "schema version of the file", False, _check_version),
    Key("server_url", str, "", "the city backend", True, _check_server_url),
    Key(
        "ca_certificate",
        str,
        "",
        "PEM file of the city's CA, trusted beside the system's CAs",
        True,
        _check_absolute_path,
    ),
    Key("ca_only", bool, False, "trust only ca_certificate, not the system's CAs"),
    Key(
        "device_id", str, "", "this tablet's id as registered on the server", True, _check_device_id
    ),
    Key("kiosk", bool, False, "full screen, no way out but the exit shortcut"),
    Key(
        "kiosk_exit_shortcut",
        str,
        "Ctrl+Alt+Shift+Q",
        "the only way out of kiosk mode",
        True,
        _check_shortcut,
    ),
    Key("locale", str, "en_CA", "language of the screens", True, _choice(LOCALES)),
    Key("sound_cues", bool, True, "a short sound when a tap is recorded or a message arrives"),
    Key(
        "sound_volume",
        float,
        0.6,
        "volume of the sound cues, 0 (silent) to 1",
        True,
        _check_volume,
    ),
    Key(
        "window_size",
        str,
        "1280x800",
        "the window's size outside kiosk mode (WIDTHxHEIGHT)",
        True,
        _check_window_size,
    ),
    Key("tile_source", str, "bundled", "where map tiles come from", True, _check_tile_source),
    Key(
        "keyring_policy",
        str,
        "memory",
        "what happens without an OS keyring",
        True,
        _choice(KEYRING_POLICIES),
    ),
    Key("gps_source", str, "gpsd", "where positions come from", True, _choice(GPS_SOURCES)),
    Key(
        "gps_address",
        str,
        "127.0.0.1:2947",
        "host:port of gpsd or the NMEA stream",
        True,
        _check_gps_address,
    ),
    Key(
        "gps_serial_device",
        str,
        "",
        "nmea-serial: the receiver's serial device (/dev/ttyUSB0, COM3)",
        True,
    ),
    Key("gps_baud", int, 9600, "nmea-serial: the receiver's baud rate", True, _check_baud),
    Key(
        "gps_file",
        str,
        "",
        "nmea-file: an NMEA log replayed (training)",
        True,
        _check_absolute_path,
    ),
    Key("data_dir", str, "", "folder of the tablet database", True, _check_absolute_path),
    Key("log_level", str, "INFO", "how much the log files say", False, _choice(LOG_LEVELS)),
    Key(
        "clock_tolerance_s",
        float,
        120.0,
        "clock difference the self-test accepts",
        False,
        _check_positive,
    ),
)
KEY_BY_NAME: Final = {k.name: k for k in KEYS}
LOCKABLE: Final = frozenset(k.name for k in KEYS if k.lockable)


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
