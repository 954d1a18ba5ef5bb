"""gpsd over its JSON protocol (TCP 2947): the usual GPS daemon on Linux vehicle gateways."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from client.nmea import UERE_M, Reading
from client.positioning.base import PositionSource
from coverage.model import Fix

WATCH = b'?WATCH={"enable":true,"json":true};\n'
QUIET_S = 1.0
MAX_LINE_BYTES = 1 << 16


# gpsd's eph is a 95 % horizontal bound: about two standard deviations.
EPH_95_PER_SIGMA = 2.0


def _num(obj: dict[str, Any], key: str) -> float | None:
    v = obj.get(key)
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        return None
    return float(v)


def reading_from_tpv(tpv: dict[str, Any], hdop: float | None, source: str) -> Reading | None:
    """A gpsd TPV report to a Reading, or None without a dated 2D/3D position."""
    mode = tpv.get("mode")
    if mode not in (2, 3) or not isinstance(tpv.get("time"), str):
        return None
    lat, lon = _num(tpv, "lat"), _num(tpv, "lon")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    try:
        t = datetime.fromisoformat(tpv["time"].replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        return None
    # One accuracy scale for every source (HDOP × UERE, about one sigma, as from NMEA):
    # gpsd's `eph` is a 95 % bound, about twice that; it stands in only without HDOP.
    eph = _num(tpv, "eph")
    if hdop is not None:
        accuracy: float | None = round(hdop * UERE_M, 1)
    else:
        accuracy = None if eph is None else round(eph / EPH_95_PER_SIGMA, 1)
    status = tpv.get("status")
    return Reading(
        fix=Fix(
            t=t,
            lat=lat,
            lon=lon,
            speed_mps=_num(tpv, "speed"),
            heading_deg=_num(tpv, "track"),
            accuracy_m=accuracy,
        ),
        hdop=hdop,
        quality=2 if status == 2 else 1,
        altitude_m=_num(tpv, "altMSL") if "altMSL" in tpv else _num(tpv, "alt"),
        mode=mode,
        source=source,
    )


class GpsdSource(PositionSource):
    def __init__(self, host: str = "127.0.0.1", port: int = 2947) -> None:
        super().__init__(f"gpsd {host}:{port}")
        self.host, self.port = host, port

    async def _session(self) -> AsyncIterator[Reading | None]:
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=MAX_LINE_BYTES)
        try:
            writer.write(WATCH)
            await writer.drain()
            hdop: float | None = None
            while True:
                try:
                    line = await asyncio.wait_for(reader.readline(), QUIET_S)
                except TimeoutError:
                    yield None
                    continue
                except ValueError:
                    continue
                if not line:
                    raise ConnectionError("gpsd closed the connection")
                try:
                    report = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(report, dict):
                    continue
                cls = report.get("class")
                if cls == "SKY":
                    hdop = _num(report, "hdop")
                    continue
                if cls != "TPV":
                    continue
                reading = reading_from_tpv(report, hdop, self.name)
                yield reading
        finally:
            writer.close()
