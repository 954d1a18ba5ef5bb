"""An asyncio TCP proxy on loopback that misbehaves on request, between client and server.

It knows just enough HTTP to tell the request (client → server) from the reply
(server → client): the reference server only replies after its transaction committed,
so "the first reply bytes arrived" means "committed". Faults:

- `refuse`: stop listening (connection refused), until set back to `pass`.
- `blackhole`: accept and swallow the request; never answer.
- `reset_before_commit`: RST the client on the first request bytes; the server sees nothing.
- `reset_after_commit`: forward the request, RST the client when the reply starts.
- `drop`: forward the request, discard the reply and close the connection cleanly.
- `truncate`: forward only the first `truncate_bytes` of the reply, then RST.
- `trickle`: forward the reply `trickle_bytes` at a time every `trickle_delay_s`.
- `flap`: alternate between `pass` and `refuse` every `flap_range_s` seconds (random);
  each down phase also cuts the open connections.

`latency_s` (a range: a random delay before each request chunk is forwarded) and
`bandwidth_bps` (both directions) apply on top of any mode. `count` limits a fault to
that many requests, after which the proxy passes traffic again.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct

MODES = (
    "pass",
    "refuse",
    "blackhole",
    "reset_before_commit",
    "reset_after_commit",
    "drop",
    "truncate",
    "trickle",
    "flap",
)
_CHUNK = 64 * 1024


class FaultProxy:
    def __init__(self, upstream_host: str, upstream_port: int, *, seed: int = 0) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.host = "127.0.0.1"
        self.port = 0
        self.mode = "pass"
        self.count: int | None = None
        self.latency_s: tuple[float, float] = (0.0, 0.0)
        self.bandwidth_bps: float | None = None
        self.truncate_bytes = 40
        self.trickle_bytes = 1
        self.trickle_delay_s = 0.2
        self.flap_range_s: tuple[float, float] = (1.0, 5.0)
        self.faults_applied = 0
        self.connections = 0
        self.reply_bytes = 0
        self._rng = random.Random(seed)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._flap_task: asyncio.Task[None] | None = None
        self._flap_down = False

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> str:
        await self._listen()
        return self.url

    async def _listen(self) -> None:
        if self._server is not None:
            return
        self._server = await asyncio.start_server(
            self._handle, self.host, self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _unlisten(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def stop(self) -> None:
        if self._flap_task is not None:
            self._flap_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flap_task
        await self._unlisten()
        self.cut_all()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await task

    async def set(self, mode: str, *, count: int | None = None) -> None:
        """Switch fault mode; `count` faults, then back to `pass`."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        if self._flap_task is not None:
            self._flap_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flap_task
            self._flap_task = None
            self._flap_down = False
        self.mode, self.count = mode, count
        if mode == "refuse":
            await self._unlisten()
            self.cut_all()
        else:
            await self._listen()
        if mode == "flap":
            self._flap_task = asyncio.ensure_future(self._flap())

    def cut_all(self) -> None:
        for writer in list(self._writers):
            _reset(writer)

    async def _flap(self) -> None:
        while True:
            await asyncio.sleep(self._rng.uniform(*self.flap_range_s))
            self._flap_down = not self._flap_down
            if self._flap_down:
                await self._unlisten()
                self.cut_all()
            else:
                await self._listen()

    def _take_fault(self, mode: str) -> bool:
        """Whether this request gets `mode`'s fault (counting it)."""
        if self.mode != mode:
            return False
        if self.count is not None:
            if self.count <= 0:
                return False
            self.count -= 1
            if self.count == 0:
                self.mode = "pass"
        self.faults_applied += 1
        return True

    async def _handle(self, creader: asyncio.StreamReader, cwriter: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(cwriter)
        self.connections += 1
        try:
            await self._serve(creader, cwriter)
        except (ConnectionError, OSError):
            pass
        except asyncio.CancelledError:
            # Only stop() cancels these; ending normally keeps asyncio's stream callback
            # (which calls task.exception()) from logging a spurious traceback.
            pass
        finally:
            self._writers.discard(cwriter)
            self._tasks.discard(task)
            if not cwriter.is_closing():
                cwriter.close()

    async def _serve(self, creader: asyncio.StreamReader, cwriter: asyncio.StreamWriter) -> None:
        if self._take_fault("blackhole"):
            while await creader.read(_CHUNK):
                pass
            return
        sreader, swriter = await asyncio.open_connection(*self.upstream)
        try:
            # Per request: the fault that applies to its reply, decided when it starts.
            reply_fault: list[str] = []
            up = asyncio.ensure_future(
                self._client_to_server(creader, cwriter, swriter, reply_fault)
            )
            down = asyncio.ensure_future(self._server_to_client(sreader, cwriter, reply_fault))
            done, pending = await asyncio.wait({up, down}, return_when=asyncio.FIRST_COMPLETED)
            if down in done or up.exception() is not None:
                for t in pending:
                    t.cancel()
            else:
                await asyncio.wait(pending, timeout=None)
            for t in (up, down):
                if t.done() and not t.cancelled():
                    t.exception()  # consumed: a reset peer is the point, not an error
        finally:
            swriter.close()

    async def _client_to_server(
        self,
        creader: asyncio.StreamReader,
        cwriter: asyncio.StreamWriter,
        swriter: asyncio.StreamWriter,
        reply_fault: list[str],
    ) -> None:
        while True:
            data = await creader.read(self._chunk())
            if not data:
                return
            if self._take_fault("reset_before_commit"):
                _reset(cwriter)
                return
            if self._take_fault("blackhole"):
                while await creader.read(_CHUNK):
                    pass  # swallowed: no reply ever comes
                return
            for mode in ("reset_after_commit", "drop", "truncate", "trickle"):
                if self._take_fault(mode):
                    reply_fault.append(mode)
            low, high = self.latency_s
            if high > 0:
                await asyncio.sleep(self._rng.uniform(low, high))
            await self._throttle(len(data))
            swriter.write(data)
            await swriter.drain()

    async def _server_to_client(
        self, sreader: asyncio.StreamReader, cwriter: asyncio.StreamWriter, reply_fault: list[str]
    ) -> None:
        sent_of_reply = 0
        while True:
            data = await sreader.read(self._chunk())
            if not data:
                cwriter.close()
                return
            fault = reply_fault[0] if reply_fault else None
            if fault == "reset_after_commit":
                _reset(cwriter)
                return
            if fault == "drop":
                cwriter.close()
                return
            if fault == "truncate":
                keep = max(0, self.truncate_bytes - sent_of_reply)
                cwriter.write(data[:keep])
                await cwriter.drain()
                _reset(cwriter)
                return
            if fault == "trickle":
                for i in range(0, len(data), self.trickle_bytes):
                    cwriter.write(data[i : i + self.trickle_bytes])
                    await cwriter.drain()
                    await asyncio.sleep(self.trickle_delay_s)
            else:
                await self._throttle(len(data))
                cwriter.write(data)
                await cwriter.drain()
            sent_of_reply += len(data)
            self.reply_bytes += len(data)

    def _chunk(self) -> int:
        # Small reads under a bandwidth limit, so bytes flow at the rate, not in bursts.
        return 1024 if self.bandwidth_bps else _CHUNK

    async def _throttle(self, n: int) -> None:
        if self.bandwidth_bps:
            await asyncio.sleep(n / self.bandwidth_bps)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Abort with a TCP RST (SO_LINGER 0), as a dropped radio link or middlebox does."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
