"""Position sources: gpsd (a real gpsd fed by gpsfake on loopback), NMEA over TCP and file,
the simulator; reconnection and state (the fix filter: test_fix_filter.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from client.nmea import Reading, parse_lines
from client.positioning import (
    GpsdSource,
    NmeaFileSource,
    NmeaTcpSource,
    PositionSource,
    SimulatedSource,
    SourceStatus,
)
from client.simulator import RouteSimulator
from tests.helpers.routes import street_route

NMEA = Path(__file__).resolve().parent.parent / "data" / "nmea"
MUNICH = NMEA / "genivi_munich-gps_2009-04-01.nmea"
T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


async def _collect(
    source: PositionSource, limit: int | None = None, within_s: float = 50.0
) -> list[Reading]:
    out: list[Reading] = []

    async def run() -> None:
        async for r in source.readings():
            out.append(r)
            if limit is not None and len(out) >= limit:
                source.close()

    try:
        await asyncio.wait_for(run(), within_s)
    except TimeoutError:
        source.close()
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_file_source_gives_the_parsed_log_and_ends() -> None:
    source = NmeaFileSource(MUNICH)
    states: list[SourceStatus] = []
    source.add_listener(lambda st: states.append(st.status))
    got = asyncio.run(_collect(source))
    assert [r.fix for r in got] == [r.fix for r in parse_lines(MUNICH.read_bytes().splitlines())]
    assert states[-1] is SourceStatus.ENDED
    assert SourceStatus.FIX in states


def test_file_source_replays_at_its_pace_divided_by_speedup() -> None:
    lines = MUNICH.read_bytes().splitlines()[:200]  # about 18 s of the drive
    source = NmeaFileSource(MUNICH, speedup=40.0)
    started = time.monotonic()
    got = asyncio.run(_collect(source, limit=len(parse_lines(lines))))
    elapsed = time.monotonic() - started
    span = (got[-1].fix.t - got[0].fix.t).total_seconds()
    assert span / 40 * 0.8 <= elapsed <= span / 40 + 2.0


def test_tcp_source_reconnects_and_reports_state() -> None:
    port = _free_port()
    lines = MUNICH.read_bytes().splitlines()[6:120]
    # the link drops between two receiver cycles (each starts with RMC)
    cut = next(i for i in range(len(lines) // 2, len(lines)) if lines[i].startswith(b"$GPRMC"))

    async def main() -> tuple[list[Reading], list[SourceStatus], int]:
        connections = 0

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal connections
            connections += 1
            half = lines[:cut] if connections == 1 else lines[cut:]
            writer.write(b"\r\n".join(half) + b"\r\n")
            writer.write(b"\x00\xff garbage $GPGGA,bad*00\r\n")
            await writer.drain()
            writer.close()  # the link drops; the source must come back by itself

        server = await asyncio.start_server(serve, "127.0.0.1", port)
        source = NmeaTcpSource("127.0.0.1", port)
        states: list[SourceStatus] = []
        source.add_listener(lambda st: states.append(st.status))
        want = len(parse_lines(lines))
        got = await _collect(source, limit=want, within_s=20)
        server.close()
        await server.wait_closed()
        return got, states, connections

    got, states, connections = asyncio.run(main())
    expected = parse_lines(MUNICH.read_bytes().splitlines()[6:120])
    assert [(r.fix.t, r.fix.lat, r.fix.lon) for r in got] == [
        (r.fix.t, r.fix.lat, r.fix.lon) for r in expected
    ]
    assert connections >= 2
    assert SourceStatus.DISCONNECTED in states
    assert states[-1] is SourceStatus.ENDED


def test_tcp_source_with_nothing_listening_keeps_retrying() -> None:
    source = NmeaTcpSource("127.0.0.1", _free_port())
    got = asyncio.run(_collect(source, within_s=1.5))
    assert got == []
    assert source.state.reconnects >= 2
    assert source.state.error


def test_simulated_source_behind_the_same_interface() -> None:
    sim = RouteSimulator(street_route("Dorset Street"), start=T0, seed=3)
    got = asyncio.run(_collect(SimulatedSource(sim, speedup=None)))
    assert [r.fix for r in got] == list(
        RouteSimulator(street_route("Dorset Street"), start=T0, seed=3).fixes()
    )


# -- gpsd ---------------------------------------------------------------------------------

needs_gpsfake = pytest.mark.skipif(
    shutil.which("gpsfake") is None or shutil.which("gpsd") is None,
    reason="Debian packages gpsd and gpsd-clients are not installed (./run installs them)",
)


@pytest.fixture
def gpsfake_munich() -> Iterator[int]:
    """A real gpsd on a loopback port fed the Munich drive by gpsfake; cleaned up after."""
    port = _free_port()
    proc = subprocess.Popen(
        ["gpsfake", "-1", "-q", "-c", "0.001", "-P", str(port), str(MUNICH)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # no probing: gpsfake starts replaying on its first client; the source retries
        # until gpsd listens
        yield port
    finally:
        # gpsfake and its gpsd share the process group started for them: end both
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


@needs_gpsfake
def test_gpsd_gives_the_same_fixes_as_the_nmea_file(gpsfake_munich: int) -> None:
    source = GpsdSource("127.0.0.1", gpsfake_munich)
    states: list[SourceStatus] = []

    def on_state(state: object) -> None:
        states.append(source.state.status)
        if source.state.status is SourceStatus.STALE:  # the log is over; gpsd stays up
            source.close()

    source.add_listener(on_state)
    got = asyncio.run(_collect(source, within_s=50))
    expected = parse_lines(MUNICH.read_bytes().splitlines())
    # gpsd 3.22 dates this 2009 log 1024 weeks late: compare time of day and position
    by_tod = {r.fix.t.time(): r.fix for r in expected}
    # gpsd activates the device a moment after the client's WATCH, while gpsfake is
    # already feeding it: compare from gpsd's first fix on
    first = got[0].fix.t.time()
    tail = [r for r in expected if r.fix.t.time() >= first]
    assert len(got) >= 0.95 * len(tail), (len(got), len(tail))
    assert len(got) >= 0.8 * len(expected)
    matched = 0
    for r in got:
        ref = by_tod.get(r.fix.t.time())
        assert ref is not None, r
        if abs(ref.lat - r.fix.lat) < 1e-6 and abs(ref.lon - r.fix.lon) < 1e-6:
            matched += 1
            if r.fix.speed_mps is not None and ref.speed_mps is not None:
                assert abs(r.fix.speed_mps - ref.speed_mps) < 0.01
    # the receiver repeats two times of day once; all the rest agree exactly
    assert matched >= len(got) - 2
    assert states[-2:] == [SourceStatus.STALE, SourceStatus.ENDED]


def test_configured_date_reaches_file_source() -> None:
    src = NmeaFileSource(NMEA / "genivi_route-for-fake_munich.nmea", default_date=date(2009, 4, 1))
    got = asyncio.run(_collect(src))
    assert len(got) == 505
