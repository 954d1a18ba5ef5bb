"""gzip for answers whose client asks for it (`Accept-Encoding: gzip`).

A supervisor's pull of a city's 38 routes is 1.6 MB of JSON and one 1,500-segment route
420 KB; street geometry and repeated keys compress about sevenfold, which is what a
tablet on a metered cellular link pays for. Small answers (a push result, a health
check) go out as they are: below a kilobyte gzip saves too little to be worth its header
and CPU. Level 6 is zlib's default balance; on a city's progress GeoJSON level 9 took
three times its CPU for 4 % fewer bytes, on a server that also has pushes to answer.
Starlette leaves Server-Sent Events and images alone (a stream must not wait for a
compressor buffer; PNG is compressed already) and compresses large bodies in a worker
thread.
"""

from __future__ import annotations

from typing import Final

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

MIN_BYTES: Final = 1024
LEVEL: Final = 6


def install_compression(app: FastAPI) -> None:
    """Outermost layer: every answer, errors included, can be compressed."""
    app.add_middleware(GZipMiddleware, minimum_size=MIN_BYTES, compresslevel=LEVEL)
