"""NMEA 0183 parsing on real recordings, and fuzzing: never a crash, never a fix from junk."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from client.fix_filter import FixFilter, Rejection
from client.nmea import NmeaAssembler, Position, parse_lines, parse_sentence
from coverage.geo import haversine_m

NMEA = Path(__file__).resolve().parent.parent / "data" / "nmea"
MUNICH = NMEA / "genivi_munich-gps_2009-04-01.nmea"


def _lines(name: str) -> list[bytes]:
    return (NMEA / name).read_bytes().splitlines()


def _with_checksum(body: str) -> str:
    cs = 0
    for ch in body:
        cs ^= ord(ch)
    return f"${body}*{cs:02X}"


def test_munich_drive_parses_completely() -> None:
    lines = _lines(MUNICH.name)
    asm = NmeaAssembler()
    readings = []
    for line in lines:
        readings += asm.feed_line(line)
    readings += asm.flush()
    sentences = [ln for ln in lines if ln.startswith(b"$")]
    # every sentence has a good checksum, and every epoch the receiver marked valid
    # (RMC status A or GGA quality > 0) gives exactly one reading; the receiver repeats
    # two times of day once (12:43:41-42), which the fix filter, not the parser, rejects
    valid_times = [
        ln.split(b",")[1]
        for ln in sentences
        if (ln.startswith(b"$GPRMC") and ln.split(b",")[2] == b"A")
        or (ln.startswith(b"$GPGGA") and ln.split(b",")[6] != b"0")
    ]
    fix_epochs = [t for i, t in enumerate(valid_times) if i == 0 or valid_times[i - 1] != t]
    assert asm.bad_checksum == 0
    assert len(readings) == len(fix_epochs)
    assert readings[0].fix.t == datetime(2009, 4, 1, 12, 40, 22, tzinfo=UTC)
    assert all(r.fix.speed_mps is not None for r in readings)
    flt = FixFilter()
    rejected = [flt.check(r).rejection for r in readings]
    assert rejected.count(Rejection.OUT_OF_ORDER) + rejected.count(Rejection.DUPLICATE) == 2


def test_munich_cold_start_junk_is_rejected_and_the_drive_measures_right() -> None:
    readings = parse_lines(_lines(MUNICH.name))
    first = readings[0]
    assert first.hdop == 23.9
    assert first.altitude_m == -704.5
    flt = FixFilter()
    results = [flt.check(r) for r in readings]
    assert results[0].rejection is Rejection.INACCURATE
    kept = [r.fix for r, res in zip(readings, results, strict=True) if res.accepted]
    assert first.fix not in kept
    distance = sum(haversine_m(a.lon, a.lat, b.lon, b.lat) for a, b in itertools.pairwise(kept))
    duration = (kept[-1].t - kept[0].t).total_seconds()
    assert abs(distance - 12_100) / 12_100 < 0.01, distance
    assert abs(duration - 31 * 60) / (31 * 60) < 0.01, duration


def test_date_comes_from_zda_and_rolls_back_across_midnight() -> None:
    # 240 s of GGA before midnight; the only date is a ZDA at 00:00:00 on 2019-03-09
    readings = parse_lines(_lines("gpsbabel_backfilldate2_car_CZ.nmea"))
    assert len(readings) == 240
    assert readings[0].fix.t == datetime(2019, 3, 8, 23, 56, 0, tzinfo=UTC)
    assert readings[-1].fix.t == datetime(2019, 3, 8, 23, 59, 59, tzinfo=UTC)
    assert all(b.fix.t - a.fix.t == timedelta(seconds=1) for a, b in itertools.pairwise(readings))


def test_configured_date_when_the_log_has_none() -> None:
    lines = _lines("genivi_route-for-fake_munich.nmea")
    assert parse_lines(lines) == []  # no RMC, no ZDA: nothing can be dated
    readings = parse_lines(lines, default_date=date(2009, 4, 1))
    assert len(readings) == 505
    assert readings[0].fix.t.date() == date(2009, 4, 1)
    assert readings[0].mode == 3
    assert readings[0].hdop == 1.3


def test_time_alone_rolls_over_to_the_next_day() -> None:
    asm = NmeaAssembler(default_date=date(2026, 5, 4))
    out = []
    for tod in ("235959.00", "000000.00"):
        out += asm.feed(
            parse_sentence(
                _with_checksum(  # type: ignore[arg-type]
                    f"GPGGA,{tod},4326.000,N,08031.000,W,1,08,0.9,330.0,M,-35.0,M,,"
                )
            )
        )
    out += asm.flush()
    assert [r.fix.t for r in out] == [
        datetime(2026, 5, 4, 23, 59, 59, tzinfo=UTC),
        datetime(2026, 5, 5, 0, 0, 0, tzinfo=UTC),
    ]


def test_ublox_gn_talkers_vtg_gsa_and_gll() -> None:
    readings = parse_lines(_lines("ublox-zed-f9p-nmea.log"))
    assert len(readings) > 20
    r = readings[0]
    assert r.fix.t == datetime(2019, 4, 12, 0, 39, 56, tzinfo=UTC)
    assert abs(r.fix.lat - -45.877567) < 1e-5
    assert abs(r.fix.lon - 170.500111) < 1e-5
    assert r.hdop == 0.64
    assert r.mode == 3
    gll = parse_sentence(_with_checksum("GLGLL,4326.1000,N,08031.2000,W,123519.00,A,A"))
    assert isinstance(gll, Position)
    assert gll.kind == "GLL"
    assert gll.lon < 0
    assert parse_sentence(_with_checksum("GNGLL,4326.1000,N,08031.2000,W,123519.00,V,N")) is None


def test_bad_checksums_and_absurd_values_give_nothing() -> None:
    good = "$GPRMC,124025.00,A,4810.8430,N,01133.8958,E,009.5,183.4,010409,002.0,E,A*37"
    assert parse_sentence(good) is not None
    assert parse_sentence(good[:-1] + "8") is None  # checksum
    assert parse_sentence(good[:-3]) is None  # no checksum
    assert parse_sentence(good[:40]) is None  # truncated
    for body in (
        "GPGGA,124025.00,9110.8430,N,01133.8958,E,1,05,1.0,500,M,46,M,,",  # latitude > 90
        "GPGGA,124025.00,4810.8430,N,18133.8958,E,1,05,1.0,500,M,46,M,,",  # longitude > 180
        "GPGGA,126025.00,4810.8430,N,01133.8958,E,1,05,1.0,500,M,46,M,,",  # minute 60
        "GPGGA,124025.00,4860.0000,N,01133.8958,E,1,05,1.0,500,M,46,M,,",  # 60 minutes
        "GPGGA,124025.00,4810.8430,X,01133.8958,E,1,05,1.0,500,M,46,M,,",  # hemisphere
        "GPGGA,124025.00,4810.8430,N,01133.8958,E,0,05,1.0,500,M,46,M,,",  # no fix
        "GPGGA,124025.00,4810.8430,N,01133.8958,E,1,05,nan,500,M,46,M,,",
        "GPRMC,124025.00,A,4810.8430,N,01133.8958,E,99999,183.4,010409,,,A",  # speed
        "GPRMC,124025.00,A,4810.8430,N,01133.8958,E,009.5,183.4,320409,,,A",  # 32nd
        "GPZDA,124025.00,31,02,2019,00,00",  # 31 February
        "XXGGA,124025.00,4810.8430,N,01133.8958,E,1,05,1.0,500,M,46,M,,",  # talker
    ):
        assert parse_sentence(_with_checksum(body)) is None, body


_VALID_GGA = "$GPGGA,124025.00,4810.8430,N,01133.8958,E,1,03,04.3,-0688.9,M,0046.3,M,,*45"
_VALID_RMC = "$GPRMC,124025.00,A,4810.8430,N,01133.8958,E,009.5,183.4,010409,002.0,E,A*37"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.binary(max_size=120), max_size=30))
def test_random_bytes_never_raise_and_never_give_a_fix(chunks: list[bytes]) -> None:
    asm = NmeaAssembler(default_date=date(2026, 1, 1))
    out = []
    for chunk in chunks:
        for line in chunk.splitlines():
            out += asm.feed_line(line)
    out += asm.flush()
    # a random line with a correct checksum and a full valid GGA is astronomically rare
    assert out == []


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from([_VALID_GGA, _VALID_RMC]),
    st.integers(min_value=1, max_value=80),
    st.integers(min_value=0, max_value=80),
    st.text(alphabet="0123456789ABCDEF,.-NSEWAV*$", min_size=1, max_size=4),
)
def test_mutated_sentences_never_raise_and_never_give_a_fix(
    sentence: str, pos: int, cut: int, junk: str
) -> None:
    pos = min(pos, len(sentence) - 1)
    variants = [
        sentence[:pos] + junk + sentence[pos + len(junk) :],  # overwritten
        sentence[:pos],  # truncated
        sentence[:pos] + sentence[pos + 1 :],  # a byte lost
        sentence[: min(cut, pos)] + sentence[pos:],
    ]
    for line in variants:
        if line == sentence:
            continue
        parsed = parse_sentence(line)
        if parsed is None:
            continue
        # the checksum survived the change only if the body still XORs the same, in which
        # case the sentence must still be valid in every field it carries
        assert isinstance(parsed, Position)
        assert -90 <= parsed.lat <= 90
        assert -180 <= parsed.lon <= 180


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(allow_nan=True, allow_infinity=True),
    lon=st.floats(allow_nan=True, allow_infinity=True),
    hdop=st.floats(allow_nan=True, allow_infinity=True),
    knots=st.floats(allow_nan=True, allow_infinity=True),
)
def test_absurd_values_with_good_checksums_never_raise(
    lat: float, lon: float, hdop: float, knots: float
) -> None:
    gga = _with_checksum(f"GPGGA,124025.00,{lat},N,{lon},E,1,05,{hdop},500,M,46,M,,")
    rmc = _with_checksum(f"GPRMC,124025.00,A,{lat},N,{lon},E,{knots},183.4,010409,,,A")
    for line in (gga, rmc):
        parsed = parse_sentence(line)
        if parsed is not None:
            assert isinstance(parsed, Position)
            assert -90 <= parsed.lat <= 90
            assert -180 <= parsed.lon <= 180
            assert parsed.speed_mps is None or 0 <= parsed.speed_mps <= 300
