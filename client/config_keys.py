"""The configuration schema: every key, its type, safe default, one-line summary, whether
IT may lock it, and the check that turns a bad value into words naming what was expected.

`docs/config.md` describes each key here; a test keeps the two in step.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

CONFIG_VERSION: Final = 1

LOCALES: Final = ("en_CA", "fr_CA")
KEYRING_POLICIES: Final = ("memory", "require")
GPS_SOURCES: Final = ("gpsd", "nmea-serial", "nmea-tcp", "nmea-file", "simulator")
LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR")
MIN_WINDOW: Final = (600, 480)
_DEVICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SHORTCUT = re.compile(r"((Ctrl|Alt|Shift|Meta)\+){1,4}[A-Za-z0-9]|F([1-9]|1[0-9]|2[0-4])")


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
