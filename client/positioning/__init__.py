"""Position sources: gpsd, raw NMEA 0183 (serial, TCP, file) and the simulator, one interface.

Each source is a `PositionSource`: `async for reading in source.readings()` yields
`Reading`s until `close()` (or the end of a file or a simulated drive); network and
serial sources reconnect by themselves, and every source reports its `state` (connecting,
no fix, fix, stale, disconnected, ended) to listeners.
"""

from client.nmea import Reading
from client.positioning.base import PositionSource, SourceState, SourceStatus
from client.positioning.gpsd import GpsdSource
from client.positioning.nmea_source import NmeaFileSource, NmeaSerialSource, NmeaTcpSource
from client.positioning.simulated import SimulatedSource

__all__ = [
    "GpsdSource",
    "NmeaFileSource",
    "NmeaSerialSource",
    "NmeaTcpSource",
    "PositionSource",
    "Reading",
    "SimulatedSource",
    "SourceState",
    "SourceStatus",
]
