"""NMEA 0183 sentences to positions: checksums, the sentences receivers send, and dates.

`parse_sentence` turns one line into a typed sentence or None (bad checksum, unknown
type, any field out of range): an invalid sentence never contributes to a position.
`NmeaAssembler` groups the sentences of one receiver epoch (same time of day) into one
`Reading`, and dates it from RMC or ZDA, or from the configured date, rolling over at
midnight; positions that arrive before any date is known are held and dated back once
one is (as a GGA-only receiver that sends ZDA once a minute needs).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from coverage.model import Fix

TALKERS = frozenset({"GP", "GN", "GL", "GA", "GB", "BD"})
KNOTS_TO_MPS = 1852 / 3600
MAX_SPEED_MPS = 300.0
MAX_LINE = 200
MAX_PENDING_UNDATED = 3600
# A receiver's HDOP times this user range error is a usual 1-sigma horizontal error.
UERE_M = 5.0


@dataclass(frozen=True, slots=True)
class Reading:
    """One receiver epoch: the position and what the receiver said about its quality."""

    fix: Fix
    hdop: float | None = None
    quality: int = 1  # GGA fix quality: 1 GPS, 2 DGPS, 4/5 RTK, 6 dead reckoning
    satellites: int | None = None
    altitude_m: float | None = None
    mode: int | None = None  # 2 = 2D, 3 = 3D (GSA / gpsd)
    source: str = ""


@dataclass(frozen=True, slots=True)
class Position:
    """GGA, RMC or GLL: a time of day and a valid position."""

    kind: str
    tod: time
    lat: float
    lon: float
    quality: int = 1
    satellites: int | None = None
    hdop: float | None = None
    altitude_m: float | None = None
    speed_mps: float | None = None
    course_deg: float | None = None
    day: date | None = None


@dataclass(frozen=True, slots=True)
class Velocity:
    """VTG: speed and course over ground, no time."""

    speed_mps: float
    course_deg: float | None


@dataclass(frozen=True, slots=True)
class Dop:
    """GSA: fix mode and dilution of precision, no time."""

    mode: int
    hdop: float | None


@dataclass(frozen=True, slots=True)
class DateTime:
    """ZDA: a full UTC date and time."""

    tod: time
    day: date


Sentence = Position | Velocity | Dop | DateTime


def checksum_ok(line: str) -> tuple[bool, str]:
    """Whether `$…*hh` carries a correct checksum, and the body between `$` and `*`."""
    if len(line) > MAX_LINE or not line.startswith("$"):
        return False, ""
    star = line.rfind("*")
    if star < 0 or len(line) - star != 3:
        return False, ""
    body = line[1:star]
    if not body.isascii() or not body.isprintable():
        return False, ""
    try:
        expected = int(line[star + 1 :], 16)
    except ValueError:
        return False, ""
    calc = 0
    for ch in body:
        calc ^= ord(ch)
    return calc == expected, body


_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)")


def _float(s: str) -> float | None:
    """A plain decimal number (no exponent, nan, inf or underscores), else None."""
    if not _NUMBER.fullmatch(s):
        return None
    v = float(s)
    return v if math.isfinite(v) else None


def _tod(s: str) -> time | None:
    if len(s) < 6 or not s[:6].isdigit():
        return None
    hh, mm, ss = int(s[0:2]), int(s[2:4]), int(s[4:6])
    frac = 0
    if len(s) > 6:
        if s[6] != "." or not s[7:].isdigit() or len(s) > 12:
            return None
        frac = round(float("0" + s[6:]) * 1_000_000)
    if hh > 23 or mm > 59 or ss > 59 or frac >= 1_000_000:
        return None
    return time(hh, mm, ss, frac)


def _coord(value: str, hemi: str, degree_digits: int, limit: float) -> float | None:
    if hemi not in ("N", "S", "E", "W") or len(value) < degree_digits + 2:
        return None
    deg_s, min_s = value[:degree_digits], value[degree_digits:]
    if not deg_s.isdigit():
        return None
    minutes = _float(min_s)
    if minutes is None or not 0 <= minutes < 60 or not min_s[:2].isdigit():
        return None
    v = int(deg_s) + minutes / 60
    if v > limit:
        return None
    return -v if hemi in ("S", "W") else v


def _latlon(f: list[str], i: int) -> tuple[float, float] | None:
    if len(f) < i + 4:
        return None
    lat = _coord(f[i], f[i + 1], 2, 90.0)
    lon = _coord(f[i + 2], f[i + 3], 3, 180.0)
    if lat is None or lon is None:
        return None
    return lat, lon


def _speed(knots: str) -> float | bool | None:
    """Speed in m/s, None when absent, False when present but invalid."""
    if not knots:
        return None
    v = _float(knots)
    if v is None or v < 0 or v * KNOTS_TO_MPS > MAX_SPEED_MPS:
        return False
    return v * KNOTS_TO_MPS


def _course(s: str) -> float | bool | None:
    if not s:
        return None
    v = _float(s)
    if v is None or not 0 <= v <= 360:
        return False
    return v % 360


def _gga(f: list[str]) -> Position | None:
    if len(f) < 10:
        return None
    tod, pos = _tod(f[1]), _latlon(f, 2)
    if tod is None or pos is None or not f[6].isdigit():
        return None
    quality = int(f[6])
    if quality == 0 or quality > 8 or quality == 7:  # no fix, or manual/simulator input
        return None
    sats = int(f[7]) if f[7].isdigit() else None
    hdop = _float(f[8])
    alt = _float(f[9])
    if (f[8] and hdop is None) or (f[9] and alt is None):
        return None
    if hdop is not None and not 0 < hdop < 1000:
        return None
    if alt is not None and not -12_000 < alt < 100_000:
        return None
    return Position("GGA", tod, pos[0], pos[1], quality, sats, hdop, alt)


def _rmc(f: list[str]) -> Position | None:
    if len(f) < 10 or f[2] != "A":
        return None
    if len(f) > 12 and f[12] in ("N", "E", "M", "S"):  # FAA mode: not valid/estimated/...
        return None
    tod, pos = _tod(f[1]), _latlon(f, 3)
    speed, course = _speed(f[7]), _course(f[8])
    if tod is None or pos is None or speed is False or course is False:
        return None
    d = f[9]
    if len(d) != 6 or not d.isdigit():
        return None
    try:
        day = date(2000 + int(d[4:6]), int(d[2:4]), int(d[0:2]))
    except ValueError:
        return None
    return Position(
        "RMC",
        tod,
        pos[0],
        pos[1],
        speed_mps=speed if isinstance(speed, float) else None,
        course_deg=course if isinstance(course, float) else None,
        day=day,
    )


def _gll(f: list[str]) -> Position | None:
    if len(f) < 7 or f[6] != "A":
        return None
    if len(f) > 7 and f[7] in ("N", "E", "M", "S"):
        return None
    tod, pos = _tod(f[5]), _latlon(f, 1)
    if tod is None or pos is None:
        return None
    return Position("GLL", tod, pos[0], pos[1])


def _vtg(f: list[str]) -> Velocity | None:
    if len(f) < 8:
        return None
    if len(f) > 9 and f[9] == "N":
        return None
    course = _course(f[1])
    speed = _speed(f[5])
    if speed is None and f[7]:
        kmh = _float(f[7])
        speed = kmh / 3.6 if kmh is not None and 0 <= kmh / 3.6 <= MAX_SPEED_MPS else False
    if course is False or speed is False or speed is None:
        return None
    return Velocity(speed, course if isinstance(course, float) else None)


def _gsa(f: list[str]) -> Dop | None:
    if len(f) < 17 or f[2] not in ("1", "2", "3"):
        return None
    hdop = _float(f[16])
    if f[16] and hdop is None:
        return None
    if hdop is not None and not 0 < hdop < 1000:
        return None
    return Dop(int(f[2]), hdop)


def _zda(f: list[str]) -> DateTime | None:
    if len(f) < 5:
        return None
    tod = _tod(f[1])
    if tod is None or not (f[2].isdigit() and f[3].isdigit() and f[4].isdigit()):
        return None
    try:
        day = date(int(f[4]), int(f[3]), int(f[2]))
    except ValueError:
        return None
    if day.year < 1990:
        return None
    return DateTime(tod, day)


_PARSERS = {"GGA": _gga, "RMC": _rmc, "GLL": _gll, "VTG": _vtg, "GSA": _gsa, "ZDA": _zda}


def parse_sentence(line: str | bytes) -> Sentence | None:
    """One NMEA line to a sentence, or None when it is unsupported or invalid in any way."""
    if isinstance(line, bytes):
        try:
            line = line.decode("ascii")
        except UnicodeDecodeError:
            return None
    line = line.strip()
    ok, body = checksum_ok(line)
    if not ok:
        return None
    fields = body.split(",")
    head = fields[0]
    if len(head) != 5 or head[:2] not in TALKERS:
        return None
    parser = _PARSERS.get(head[2:])
    return parser(fields) if parser else None


class NmeaAssembler:
    """Sentences in, dated `Reading`s out, one per receiver epoch.

    An epoch is emitted when a sentence with another time of day arrives, or on
    `flush()` (end of a file, or a quiet line). Positions with no date yet are held
    (at most `MAX_PENDING_UNDATED`) until RMC or ZDA brings one.
    """

    def __init__(self, *, default_date: date | None = None, source: str = "nmea") -> None:
        self.source = source
        self._day: date | None = default_date
        self._last_tod: time | None = None
        self._epoch_tod: time | None = None
        self._pos: dict[str, Position] = {}
        self._vel: Velocity | None = None
        self._dop: Dop | None = None
        self._undated: list[tuple[time, Reading]] = []
        self.invalid = 0  # lines giving nothing: unsupported, no fix, or invalid
        self.bad_checksum = 0

    def feed_line(self, line: str | bytes) -> list[Reading]:
        stripped = line.strip()
        if not stripped or stripped[:1] in ("#", b"#"):
            return []
        sentence = parse_sentence(line)
        if sentence is None:
            self.invalid += 1
            text = line.decode("ascii", "replace") if isinstance(line, bytes) else line
            if not checksum_ok(text.strip())[0]:
                self.bad_checksum += 1
            return []
        return self.feed(sentence)

    def feed(self, s: Sentence) -> list[Reading]:
        out: list[Reading] = []
        if isinstance(s, Position | DateTime) and s.tod != self._epoch_tod:
            out += self.flush()
            self._epoch_tod = s.tod
        if isinstance(s, Position):
            self._pos.setdefault(s.kind, s)
            if s.day is not None:
                out += self._set_day(s.day, s.tod)
        elif isinstance(s, DateTime):
            out += self._set_day(s.day, s.tod)
        elif isinstance(s, Velocity):
            self._vel = s
        else:
            self._dop = s
        return out

    def _set_day(self, day: date, tod: time) -> list[Reading]:
        self._day = day
        self._last_tod = tod
        if not self._undated:
            return []
        # Date the held positions backwards from this one, a day earlier across midnight.
        held, self._undated = self._undated, []
        dated: list[Reading] = []
        cur_day, cur_tod = day, tod
        for htod, reading in reversed(held):
            if htod > cur_tod:
                cur_day -= timedelta(days=1)
            cur_tod = htod
            t = datetime.combine(cur_day, htod, UTC)
            dated.append(replace(reading, fix=replace(reading.fix, t=t)))
        return dated[::-1]

    def flush(self) -> list[Reading]:
        """Emit the epoch being assembled, if it has a position."""
        pos = self._pos.get("GGA") or self._pos.get("RMC") or self._pos.get("GLL")
        rmc = self._pos.get("RMC")
        gga = self._pos.get("GGA")
        vel, dop = self._vel, self._dop
        self._pos, self._vel, self._dop = {}, None, None
        if pos is None:
            return []
        speed = rmc.speed_mps if rmc and rmc.speed_mps is not None else None
        course = rmc.course_deg if rmc else None
        if speed is None and vel is not None:
            speed, course = vel.speed_mps, vel.course_deg
        hdop = gga.hdop if gga and gga.hdop is not None else (dop.hdop if dop else None)
        placeholder = datetime.combine(date(2000, 1, 1), pos.tod, UTC)
        reading = Reading(
            fix=Fix(
                t=placeholder,
                lat=pos.lat,
                lon=pos.lon,
                speed_mps=speed,
                heading_deg=course,
                accuracy_m=None if hdop is None else round(hdop * UERE_M, 1),
            ),
            hdop=hdop,
            quality=pos.quality,
            satellites=pos.satellites,
            altitude_m=pos.altitude_m,
            mode=dop.mode if dop else None,
            source=self.source,
        )
        if self._day is None:
            if len(self._undated) < MAX_PENDING_UNDATED:
                self._undated.append((pos.tod, reading))
            return []
        if self._last_tod is not None and pos.tod < self._last_tod:
            gap = datetime.combine(date.min, self._last_tod) - datetime.combine(date.min, pos.tod)
            if gap > timedelta(hours=12):
                self._day += timedelta(days=1)
        self._last_tod = pos.tod
        t = datetime.combine(self._day, pos.tod, UTC)
        return [replace(reading, fix=replace(reading.fix, t=t))]

    @property
    def undated(self) -> int:
        """Positions held because no date is known yet."""
        return len(self._undated)


def parse_lines(
    lines: list[str] | list[bytes], *, default_date: date | None = None
) -> list[Reading]:
    """Every reading in a recorded log, in order (for files and tests)."""
    asm = NmeaAssembler(default_date=default_date)
    out: list[Reading] = []
    for line in lines:
        out += asm.feed_line(line)
    out += asm.flush()
    return out
