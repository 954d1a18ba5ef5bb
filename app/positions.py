"""Positions from the configured source, through the fix filter, into the tablet.

`gps_source` in the managed config picks the source (docs/config.md): `gpsd` (installed
Linux tablets), `nmea-serial` (a receiver on a serial port, through pyserial),
`nmea-tcp` (a vehicle gateway), `nmea-file` (a recorded drive replayed at its own
pace, for training) or `simulator` (the built-in drive; the screens then say
SIMULATED GPS). The source reconnects by itself; its state (connecting, no fix, fix,
stale, disconnected) is the tablet's GPS state, so the status strip tells the truth
about the receiver, not only about the last fix.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from client.errors import UserFacingError
from client.fix_filter import FilterConfig, FixFilter
from client.positioning.base import PositionSource, SourceState

if TYPE_CHECKING:
    from app.tablet import Tablet
    from client.config import Config

log = logging.getLogger("sweepline.gps")

# A 30 s telematics feed and a 1 Hz receiver both pass: a fix is fresh for 45 s (one
# feed interval late, plus slack), and a jump is judged on the time between fixes.
FILTER = FilterConfig(max_age_s=45.0)
# Sources whose fixes are "now": checked against the clock. A recorded log or the
# simulator (sped up in the demo) carries its own times.
LIVE_SOURCES = frozenset({"gpsd", "nmea-serial", "nmea-tcp"})


class GpsSetupError(UserFacingError):
    """The configured GPS source cannot be built (a missing device or file)."""


def source_from_config(config: Config, tablet: Tablet) -> PositionSource:
    """The source `config.gps_source` names, set up from the other `gps_*` keys; raises
    `GpsSetupError` naming the key that is missing or wrong."""
    kind = config.gps_source
    host, _, port = config.gps_address.rpartition(":")
    today = tablet.clock.today()
    if kind == "gpsd":
        from client.positioning.gpsd import GpsdSource

        return GpsdSource(host, int(port))
    if kind == "nmea-tcp":
        from client.positioning.nmea_source import NmeaTcpSource

        return NmeaTcpSource(host, int(port), default_date=today)
    if kind == "nmea-serial":
        from client.positioning.nmea_source import NmeaSerialSource

        if not config.gps_serial_device:
            raise GpsSetupError("gps_source = nmea-serial needs gps_serial_device (/dev/ttyUSB0)")
        return NmeaSerialSource(config.gps_serial_device, config.gps_baud, default_date=today)
    if kind == "nmea-file":
        from client.positioning.nmea_source import NmeaFileSource

        path = Path(config.gps_file)
        if not config.gps_file or not path.is_file():
            raise GpsSetupError(f"gps_source = nmea-file: no NMEA log at {config.gps_file!r}")
        return NmeaFileSource(path, speedup=1.0, default_date=today)
    if kind == "simulator":
        return simulated_source(tablet, speedup=1.0, seed=1)
    raise GpsSetupError(f"gps_source = {kind!r} is not a position source")


def simulated_source(tablet: Tablet, *, speedup: float, seed: int) -> PositionSource:
    """The built-in drive along the assigned route (the demo, training); the screens
    say SIMULATED GPS."""
    from client.positioning.simulated import SimulatedSource
    from client.simulator import RouteSimulator

    if tablet.assignment is None:
        raise GpsSetupError("the simulator drives the assigned route, and there is none")
    route = tablet.assignment.route
    return SimulatedSource(
        RouteSimulator(route, start=tablet.clock.now(), seed=seed), speedup=speedup
    )


def feed_from_config(config: Config) -> Callable[[Tablet], Awaitable[None]]:
    """What the operator application runs for positions as installed."""

    async def feed(tablet: Tablet) -> None:
        try:
            source = source_from_config(config, tablet)
        except GpsSetupError as exc:
            log.error("no positions: %s", exc)
            tablet.set_gps_link("disconnected", str(exc))
            return
        await PositionFeed(source, tablet, live=config.gps_source in LIVE_SOURCES).run()

    return feed


class PositionFeed:
    """Feeds `tablet` the readings of `source` that pass the fix filter, and tells it the
    source's state; runs until the source ends or the task is cancelled."""

    def __init__(self, source: PositionSource, tablet: Tablet, *, live: bool = True) -> None:
        self.source = source
        self.tablet = tablet
        # A recorded log's times are in the past: only a live feed is checked against
        # the clock (stale and future fixes).
        self.filter = FixFilter(FILTER, clock=tablet.clock.now if live else None)

    async def run(self) -> None:
        remove = self.source.add_listener(self._on_state)
        self._on_state(self.source.state)
        try:
            async for reading in self.source.readings():
                result = self.filter.check(reading)
                if result.fix is None:
                    log.debug("%s: fix rejected (%s)", self.source.name, result.rejection)
                    continue
                self.tablet.record_fix(
                    result.fix, new_track=result.new_track, satellites=reading.satellites
                )
        finally:
            remove()
            self.source.close()

    def _on_state(self, state: SourceState) -> None:
        self.tablet.set_gps_link(state.status.value, state.error)
