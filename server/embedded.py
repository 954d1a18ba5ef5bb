"""Run the reference server inside the current process, on loopback, in a thread.

The demo and the tests need a real HTTP server they can start, stop (to simulate an
outage) and start again on the same database and the same port, so a client configured
with the URL reconnects as it would to a city server that came back.

uvicorn is given a socket we bind ourselves: the port is known before the server runs
and is reused on restart. uvicorn only installs signal handlers on the main thread, so a
server thread leaves the host application's Ctrl+C handling alone.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn
from fastapi import FastAPI

from server.app import close_app, create_app
from server.dbapi import Store
from server.settings import KEEP_ALIVE_S, Settings
from server.stores import is_postgres_url

_START_TIMEOUT_S = 15.0
_STOP_TIMEOUT_S = 10.0


class EmbeddedServerError(RuntimeError):
    pass


class EmbeddedServer:
    """`with EmbeddedServer(path) as url: ...`, or `.start()` / `.stop()` any number of times."""

    def __init__(
        self,
        db_path: str | Path,
        *,
        seed_demo: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        settings: Settings | None = None,
    ) -> None:
        # A SQLite file, or a PostgreSQL URL (`target`; db_path is then meaningless).
        self.target: str | Path = db_path if is_postgres_url(db_path) else Path(db_path)
        self.db_path = Path(db_path)
        self.seed_demo = seed_demo
        self.host = host
        self.port = port
        self.settings = settings
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        # The running FastAPI app (tests reach its state, e.g. the overload limiter).
        self.app: FastAPI | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:43817` (the port is fixed after the first start)."""
        if self.port == 0:
            raise EmbeddedServerError("the server has not been started yet")
        return f"http://{self.host}:{self.port}"

    @property
    def store(self) -> Store:
        """The running server's database (tests seed and inspect it through this)."""
        if self.app is None:
            raise EmbeddedServerError("the server has not been started yet")
        store: Store = self.app.state.db
        return store

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> str:
        """Start serving; returns the base URL once `/api/v1/health` answers."""
        if self.running:
            return self.url
        app = create_app(self.target, seed_demo=self.seed_demo, settings=self.settings)
        self.app = app
        sock = self._bind()
        config = uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_keep_alive=KEEP_ALIVE_S,
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        self._error = None

        def serve() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as exc:  # reported to start() / stop(), not lost in a thread
                self._error = exc
            finally:
                sock.close()

        thread = threading.Thread(target=serve, name=f"sweepline-server-{self.port}", daemon=True)
        self._server, self._thread = server, thread
        thread.start()
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self.url

    def stop(self) -> None:
        """Stop serving and wait for the thread; the database and the port stay ours."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(_STOP_TIMEOUT_S)
        if thread.is_alive():
            server.force_exit = True
            thread.join(_STOP_TIMEOUT_S)
        if thread.is_alive():
            raise EmbeddedServerError("the embedded server did not stop")
        if self.app is not None:
            close_app(self.app)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _bind(self) -> socket.socket:
        # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted sockets only when the
        # protocol is spelled out; without it every keep-alive response waits ~40 ms for
        # a delayed ACK (Nagle).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(128)
            sock.setblocking(False)
        except OSError as exc:
            sock.close()
            raise EmbeddedServerError(f"cannot listen on {self.host}:{self.port}: {exc}") from exc
        self.port = int(sock.getsockname()[1])
        return sock

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._thread is None or not self._thread.is_alive():
                raise EmbeddedServerError(f"the embedded server exited: {self._error!r}")
            if self._server is not None and self._server.started and self._health_ok():
                return
            time.sleep(0.02)
        raise EmbeddedServerError(f"no health answer from {self.url} in {_START_TIMEOUT_S} s")

    def _health_ok(self) -> bool:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=2)
        try:
            conn.request("GET", "/api/v1/health")
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()
