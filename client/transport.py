"""An httpx transport with an off switch, for the demo's "cut connection" control.

When switched off it fails every request the way a lost signal does (a connect
error), before anything reaches the server, so the demo shows the real offline path:
the queue grows, then drains when the switch is turned back on.
"""

from __future__ import annotations

import httpx


class SwitchableTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._inner = inner or httpx.AsyncHTTPTransport()
        self.enabled = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.enabled:
            raise httpx.ConnectError("network cut (demo control)", request=request)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
