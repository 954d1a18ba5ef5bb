"""Builds the FastAPI application around one database file.

`create_app` is the only entry point: `python -m server`, the embedded demo server and
the tests all get the same app, migrations and (optionally) demo data.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import Depends, FastAPI

from server import __version__
from server.admin_api import router as admin_router
from server.auth_api import router as auth_router
from server.clock import server_time
from server.compression import install_compression
from server.coverage_profile import store_profile
from server.demo_data import seed_demo as seed_demo_data
from server.errors import ApiError, install_error_handlers, install_store_unavailable
from server.evidence_api import router as evidence_router
from server.export_api import router as export_router
from server.forms_api import router as forms_router
from server.logs import log_event
from server.messages_api import router as messages_router
from server.metrics_api import router as metrics_router
from server.openapi import describe_every_answer
from server.overload import InflightLimit, OverloadMiddleware
from server.plans_api import router as plans_router
from server.public_api import router as public_router
from server.request_text import refuse_nul_in_url
from server.schemas import ErrorResponse, HealthResponse, ReadyResponse
from server.settings import Settings
from server.stores import is_postgres_url, open_store
from server.stream import StreamHub
from server.stream_api import router as stream_router
from server.sync_api import router as sync_router
from server.throttle import LoginThrottle
from server.tiles_api import router as tiles_router
from wire.protocol import PROTOCOL_VERSION

log = logging.getLogger(__name__)


def create_app(
    db_path: str | Path, *, seed_demo: bool = False, settings: Settings | None = None
) -> FastAPI:
    """An app serving `db_path`: a SQLite file, or a `postgresql://` URL (created and
    migrated if needed). Call `close_app` when done serving.

    With `seed_demo`, an empty database gets the demo routes and accounts, and the demo
    operator gets an assignment for today if they have none.
    """
    settings = settings or Settings()
    db = open_store(db_path, pool_size=settings.pg_pool_size)
    try:
        found = db.migrate()
        with db.write() as conn:  # before any assignment is written: they carry it
            store_profile(conn, settings.coverage_profile)
        if seed_demo:
            with db.write() as conn:
                seed_demo_data(conn, settings)
    except BaseException:
        # A refused start closes what it opened: a PostgreSQL pool would otherwise keep
        # its connections (and threads) for as long as the caller holds the traceback.
        db.close()
        raise
    log_event(log, logging.INFO, "server_ready", db=db.description, schema_found=found)

    app = FastAPI(
        title="Sweepline reference server",
        version=__version__,
        summary="Routes and assignments out, street-sweeping facts in (protocol "
        f"{PROTOCOL_VERSION}).",
        dependencies=[Depends(refuse_nul_in_url)],
    )
    app.state.db = db
    app.state.settings = settings
    # Live events for supervisors' streams; the push handler publishes to it.
    app.state.stream_hub = StreamHub()
    app.state.fanout = None
    install_error_handlers(app)
    if is_postgres_url(db_path):  # other processes may serve streams: go through PostgreSQL
        from server.pg import UNAVAILABLE
        from server.pg_fanout import PgFanout

        install_store_unavailable(app, UNAVAILABLE)
        app.state.fanout = PgFanout(str(db_path), app.state.stream_hub)
        app.state.fanout.start()
        app.state.stream_hub.relay = app.state.fanout.publish
    app.state.login_throttle = LoginThrottle.from_settings(settings)
    describe_every_answer(app)
    app.state.sync_limit = InflightLimit(
        settings.max_inflight_sync, settings.max_queued_sync, settings.overload_wait_s
    )
    app.add_middleware(
        OverloadMiddleware,
        limit=app.state.sync_limit,
        retry_after_s=settings.overload_retry_after_s,
    )
    install_compression(app)

    @app.get("/api/v1/health", response_model=HealthResponse, tags=["meta"])
    def health() -> HealthResponse:
        return HealthResponse(
            status="ok",
            protocol=PROTOCOL_VERSION,
            version=__version__,
            server_time=server_time(),
            min_client_version=settings.min_client_version or None,
        )

    @app.get(
        "/api/v1/ready",
        response_model=ReadyResponse,
        tags=["meta"],
        responses={503: {"model": ErrorResponse}},
    )
    def ready() -> ReadyResponse:
        """For a load balancer: 200 when this process can reach its database, else 503
        (health says the process answers; ready says it can do work)."""
        try:
            with db.read() as conn:
                conn.execute("SELECT 1").fetchone()
        except Exception as exc:  # any failure to reach the store means "not ready"
            raise ApiError(503, f"the database cannot be reached: {type(exc).__name__}") from None
        return ReadyResponse(status="ready", database=db.kind, server_time=server_time())

    app.include_router(auth_router)
    app.include_router(plans_router)
    app.include_router(sync_router)
    app.include_router(admin_router)
    app.include_router(tiles_router)
    app.include_router(forms_router)
    app.include_router(messages_router)
    app.include_router(stream_router)
    app.include_router(metrics_router)
    app.include_router(export_router)
    app.include_router(public_router)
    app.include_router(evidence_router)
    return app


def close_app(app: FastAPI) -> None:
    """Stop the stream listener and close the database connections of `app`."""
    if app.state.fanout is not None:
        app.state.fanout.stop()
    app.state.db.close()
