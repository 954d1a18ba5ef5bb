"""Raw NMEA 0183 sources: a TCP stream, a serial port (pyserial), or a recorded file."""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

from client.nmea import NmeaAssembler, Reading
from client.positioning.base import PositionSource, SourceEnded

QUIET_S = 1.0  # no line for this long: the epoch being assembled is complete
MAX_LINE_BYTES = 4096


class NmeaTcpSource(PositionSource):
    """NMEA sentences over TCP (a vehicle gateway, `gpsd -N` raw port, ser2net, …)."""

    def __init__(
        self, host: str, port: int, *, default_date: date | None = None, name: str = ""
    ) -> None:
        super().__init__(name or f"nmea tcp {host}:{port}")
        self.host, self.port, self.default_date = host, port, default_date

    async def _session(self) -> AsyncIterator[Reading | None]:
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=MAX_LINE_BYTES)
        asm = NmeaAssembler(default_date=self.default_date, source=self.name)
        try:
            while True:
                try:
                    line = await asyncio.wait_for(reader.readline(), QUIET_S)
                except TimeoutError:
                    for r in asm.flush():
                        yield r
                    yield None
                    continue
                except ValueError:  # a "line" longer than the limit: garbage, skip it
                    continue
                if not line:
                    for r in asm.flush():
                        yield r
                    raise ConnectionError("NMEA stream closed")
                got = asm.feed_line(line)
                for r in got:
                    yield r
                if not got:
                    yield None
        finally:
            writer.close()


class NmeaSerialSource(PositionSource):
    """NMEA from a serial port; needs pyserial (optional, not installed by default)."""

    def __init__(
        self, port: str, baudrate: int = 4800, *, default_date: date | None = None
    ) -> None:
        if importlib.util.find_spec("serial") is None:
            raise RuntimeError("serial NMEA input needs pyserial (pip install pyserial)")
        super().__init__(f"nmea serial {port}")
        self.port, self.baudrate, self.default_date = port, baudrate, default_date

    async def _session(self) -> AsyncIterator[Reading | None]:
        import serial  # pyserial, optional

        conn: Any = await asyncio.to_thread(
            serial.Serial, self.port, self.baudrate, timeout=QUIET_S
        )
        asm = NmeaAssembler(default_date=self.default_date, source=self.name)
        try:
            while True:
                try:
                    line = await asyncio.to_thread(conn.readline, MAX_LINE_BYTES)
                except serial.SerialException as exc:
                    raise OSError(str(exc)) from exc
                got = asm.feed_line(line) if line else asm.flush()
                for r in got:
                    yield r
                if not got:
                    yield None
        finally:
            await asyncio.to_thread(conn.close)


class NmeaFileSource(PositionSource):
    """A recorded log, replayed at its own pace divided by `speedup` (None: at once)."""

    reconnecting = False

    def __init__(
        self,
        path: Path,
        *,
        speedup: float | None = None,
        default_date: date | None = None,
    ) -> None:
        super().__init__(f"nmea file {path.name}")
        self.path, self.speedup, self.default_date = path, speedup, default_date
        self.invalid_lines = 0

    async def _session(self) -> AsyncIterator[Reading | None]:
        asm = NmeaAssembler(default_date=self.default_date, source=self.name)
        data = await asyncio.to_thread(self.path.read_bytes)
        loop = asyncio.get_running_loop()
        started = loop.time()
        first = None
        for line in data.splitlines():
            for r in asm.feed_line(line):
                if self.speedup:
                    first = first or r.fix.t
                    due = started + (r.fix.t - first).total_seconds() / self.speedup
                    await asyncio.sleep(max(0.0, due - loop.time()))
                yield r
        for r in asm.flush():
            yield r
        self.invalid_lines = asm.invalid
        raise SourceEnded
