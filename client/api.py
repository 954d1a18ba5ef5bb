"""The backend API client: one `httpx.AsyncClient`, typed errors, validated answers.

Every request runs under a total deadline (httpx's own timeouts bound single socket
operations, and a trickling reply would outlive them). Any answer that is not the JSON
object we expect, such as a captive portal's 200 with HTML, is treated as "no answer":
the outcome is unknown and retrying is the only, and safe, reaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import importlib
import json
import time
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from client.errors import (
    LoginRequired,
    NetworkUnavailable,
    RequestTimedOut,
    ServerBusy,
    ServerRefused,
    UpdateRequired,
)
from client.tls import SYSTEM_TRUST, TlsPolicy
from client.version import VERSION
from wire.protocol import PROTOCOL_VERSION, canonical_json

if TYPE_CHECKING:
    # httpx (a fifth of a second to import) loads with the first request, not at start-up:
    # the operator window shows the cached route before anything touches the network.
    import httpx

MAX_RESPONSE_BYTES = 32 * 1024 * 1024
MAX_RETRY_AFTER_S = 3600.0
_ENCODE_IN_THREAD_EVENTS = 8


@dataclass(frozen=True, slots=True)
class LoginResult:
    access_token: str
    expires_in: int
    username: str
    role: str
    display_name: str
    refresh_token: str = ""


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date), capped at 1 h."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (now if now is not None else time.time())
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def _untrusted_certificate(exc: BaseException) -> bool:
    """A TLS verification failure somewhere in the cause chain (httpx wraps ssl's)."""
    import ssl

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(exc)


class ApiClient:
    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        deadline_s: float = 30.0,
        tls: TlsPolicy = SYSTEM_TRUST,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tls = tls
        self.token: str | None = None
        # Single use; rotated by every refresh (server keeps a short grace window).
        self.refresh_token: str | None = None
        self.deadline_s = deadline_s
        self._transport = transport
        self._http: httpx.AsyncClient | None = None
        # Told (access token, refresh token) after each login and refresh: the refresh
        # token rotates, so whoever keeps the session (the keyring) must keep the new one.
        self.session_changed: Callable[[str, str | None], None] | None = None
        # Compressed push bodies sent, for the benchmarks and the status screen.
        self.bytes_sent = 0

    async def _connected_client(self) -> httpx.AsyncClient:
        """The HTTP client, made on first use in a worker thread: importing httpx and
        building its TLS context takes a third of a second on a tablet, which the UI
        thread (serving the map page as it loads) cannot spare."""
        if self._http is None:
            made = await asyncio.to_thread(self._make_client)
            if self._http is None:
                self._http = made
            else:  # another request made one meanwhile
                await made.aclose()
        return self._http

    def _make_client(self) -> httpx.AsyncClient:
        import httpx

        # The first connection loads anyio's asyncio backend: load it here too (this runs
        # in a worker thread), not in the middle of the UI thread's event loop.
        with contextlib.suppress(ImportError):
            importlib.import_module("anyio._backends._asyncio")

        return httpx.AsyncClient(
            base_url=self.base_url,
            transport=self._transport,
            verify=self.tls.context(),
            timeout=httpx.Timeout(10.0, connect=5.0),
            follow_redirects=False,
            # Every request names this tablet's version: the server can require a
            # minimum one, and its logs show which versions are in the field.
            # gzip, named explicitly: `_read_capped` inflates gzip (under its size cap), and
            # httpx would also offer br or zstd whenever those packages are installed.
            headers={
                "User-Agent": f"Sweepline-tablet/{VERSION}",
                "X-Sweepline-Version": VERSION,
                "Accept-Encoding": "gzip",
            },
        )

    async def recreate(self) -> None:
        """Drop the connection pool (the sync watchdog's remedy for a wedged client)."""
        old, self._http = self._http, None
        if old is not None:
            await old.aclose()

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    # -- endpoints ----------------------------------------------------------------------

    async def health(self) -> dict[str, Any]:
        return await self._request("GET", "/api/v1/health", auth=False, expect=("status",))

    async def login(self, username: str, password: str, device_id: str = "") -> LoginResult:
        """Log in; a tablet names its device, a supervisor's desk has none."""
        body = {"username": username, "password": password}
        if device_id:
            body["device_id"] = device_id
        data = await self._request(
            "POST",
            "/api/v1/auth/login",
            json_body=body,
            auth=False,
            expect=("access_token", "user"),
        )
        user = data["user"]
        self._adopt_tokens(data)
        return LoginResult(
            access_token=str(data["access_token"]),
            expires_in=int(data.get("expires_in") or 0),
            username=str(user.get("username", username)),
            role=str(user.get("role", "")),
            display_name=str(user.get("display_name", username)),
            refresh_token=self.refresh_token or "",
        )

    async def refresh_session(self) -> bool:
        """Trade the refresh token for new tokens; False if there is none or it is refused."""
        if not self.refresh_token:
            return False
        try:
            data = await self._request(
                "POST",
                "/api/v1/auth/refresh",
                json_body={"refresh_token": self.refresh_token},
                auth=False,
                expect=("access_token",),
            )
        except LoginRequired:
            self.refresh_token = None
            return False
        self._adopt_tokens(data)
        return True

    def _adopt_tokens(self, data: dict[str, Any]) -> None:
        self.token = str(data["access_token"])
        self.refresh_token = str(data.get("refresh_token") or "") or None
        if self.session_changed is not None:
            self.session_changed(self.token, self.refresh_token)

    async def assignments_today(self) -> list[dict[str, Any]]:
        data = await self._request("GET", "/api/v1/assignments/today", expect=("assignments",))
        return list(data["assignments"])

    async def route_status(self, route_id: str) -> dict[str, Any]:
        return await self._request("GET", f"/api/v1/routes/{route_id}/status", expect=("segments",))

    async def push(self, body: dict[str, Any]) -> dict[str, Any]:
        full = {"protocol": PROTOCOL_VERSION, **body}
        if len(body.get("events") or ()) > _ENCODE_IN_THREAD_EVENTS:
            # Serialising and compressing a large batch would hold the UI's event loop
            # for tens of milliseconds.
            raw = await asyncio.to_thread(_encode_push, full)
        else:
            raw = _encode_push(full)
        self.bytes_sent += len(raw)
        return await self._request(
            "POST",
            "/api/v1/sync/push",
            content=raw,
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
            expect=("results", "last_processed_seq"),
        )

    async def pull(self, client_id: str, cursor: str | None) -> dict[str, Any]:
        body = {"protocol": PROTOCOL_VERSION, "client_id": client_id, "cursor": cursor}
        return await self._request(
            "POST", "/api/v1/sync/pull", json_body=body, expect=("changes", "last_processed_seq")
        )

    # -- plumbing -----------------------------------------------------------------------

    async def _send(
        self, method: str, path: str, *, content: bytes | None, headers: dict[str, str]
    ) -> tuple[Any, bytes]:
        """One request under the total deadline; the reply read whole, under the size cap.

        Transport failures and a deadline passed are "unknown outcome" errors here, so
        every caller handles them the one way (retry).
        """
        client = await self._connected_client()
        import httpx  # loaded by now

        try:
            async with asyncio.timeout(self.deadline_s):
                request = client.build_request(method, path, content=content, headers=headers)
                response = await client.send(request, stream=True)
                try:
                    body = await _read_capped(response, MAX_RESPONSE_BYTES)
                finally:
                    await response.aclose()
        except TimeoutError as exc:
            raise RequestTimedOut(
                f"no complete answer from the server within {self.deadline_s:.0f} s"
            ) from exc
        except httpx.DecodingError as exc:
            raise NetworkUnavailable(f"the server's answer could not be decoded: {exc}") from exc
        except httpx.TransportError as exc:
            if _untrusted_certificate(exc):
                raise NetworkUnavailable(
                    f"the server's certificate is not trusted (trusting {self.tls.describe()}): "
                    f"{exc}"
                ) from exc
            raise NetworkUnavailable(f"cannot reach the server: {exc}") from exc
        return response, body

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
        expect: tuple[str, ...] = (),
    ) -> dict[str, Any]:

        hdrs = dict(headers or {})
        if auth:
            if not self.token:
                raise LoginRequired("not logged in")
            hdrs["Authorization"] = f"Bearer {self.token}"
        if json_body is not None:
            content = json.dumps(json_body).encode("utf-8")
            hdrs.setdefault("Content-Type", "application/json")
        response, body = await self._send(method, path, content=content, headers=hdrs)
        return self._check(response, body, expect)

    def _check(
        self, response: httpx.Response, body: bytes, expect: tuple[str, ...]
    ) -> dict[str, Any]:
        status = response.status_code
        detail = _detail(response, body)
        if status == 401:
            raise LoginRequired(f"the server asked to log in again: {detail}")
        if status == 426:
            raise UpdateRequired(f"this tablet needs an update: {detail}")
        if status in (429, 503):
            raise ServerBusy(parse_retry_after(response.headers.get("Retry-After")), detail)
        if status >= 500:
            raise ServerBusy(None, f"server error {status}: {detail}")
        if status >= 400:
            raise ServerRefused(status, detail)
        if 300 <= status < 400:
            raise NetworkUnavailable(f"unexpected redirect ({status}); not followed")
        if "json" not in response.headers.get("Content-Type", ""):
            raise NetworkUnavailable(
                "the answer was not from the Sweepline server (a Wi-Fi login page?)"
            )
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise NetworkUnavailable("the server's answer was cut off or garbled") from exc
        except RecursionError as exc:
            raise NetworkUnavailable("the server's answer was nested too deeply to read") from exc
        if not isinstance(data, dict) or any(k not in data for k in expect):
            raise NetworkUnavailable("the server's answer was not understood")
        return data


def _encode_push(body: dict[str, Any]) -> bytes:
    return gzip.compress(canonical_json(body), compresslevel=6)


class ResponseTooLarge(NetworkUnavailable):
    """The answer (after decompression) exceeded the cap: never read into memory whole."""


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    """The body, inflated here with a cap, so a gzip bomb stops at `limit` bytes.

    httpx's own decoder would inflate each received chunk whole (a 64 KiB chunk can
    hold 64 MiB of zeros); reading raw bytes and inflating with `max_length` bounds it.
    """
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        inflater = None
    elif encoding == "gzip":
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflater = zlib.decompressobj()
    else:
        raise NetworkUnavailable(f"the server's answer used an unknown encoding {encoding!r}")
    chunks: list[bytes] = []
    size = 0
    too_large = ResponseTooLarge(
        f"the server's answer was larger than {limit // (1024 * 1024)} MiB; not accepted"
    )
    if response.is_stream_consumed:
        # Built in memory with its body (an httpx.MockTransport answer): same checks.
        source: AsyncIterator[bytes] = _one(response.content)
    else:
        source = response.aiter_raw()
    try:
        async for raw in source:
            if inflater is None:
                out = raw
            else:
                out = inflater.decompress(raw, limit + 1 - size)
                if inflater.unconsumed_tail:
                    raise too_large
            size += len(out)
            if size > limit:
                raise too_large
            chunks.append(out)
    except zlib.error as exc:
        raise NetworkUnavailable("the server's answer was cut off or garbled") from exc
    return b"".join(chunks)


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _detail(response: httpx.Response, body: bytes) -> str:
    try:
        data = json.loads(body) if body else None
    except (ValueError, RecursionError):
        return response.reason_phrase or str(response.status_code)
    if isinstance(data, dict) and "detail" in data:
        return str(data["detail"])[:500]
    return response.reason_phrase or str(response.status_code)
