"""A real tablet core against the real reference server on loopback, for end-to-end tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.tablet import Tablet
from client.api import ApiClient
from client.store import Store
from client.transport import SwitchableTransport

DEMO_USER, DEMO_PASSWORD, DEMO_DEVICE = "demo", "sweep-demo", "demo-tablet-1"


async def logged_in_tablet(base_url: str, data_dir: Path) -> Tablet:
    """Log the demo operator in, pull today's assignment into a fresh tablet database."""
    transport = SwitchableTransport()
    api = ApiClient(base_url, transport=transport)
    store = Store(data_dir / "tablet.sqlite", device_id=DEMO_DEVICE)
    tablet = Tablet(store, api, transport=transport, gps_source_name="simulator")
    await api.login(DEMO_USER, DEMO_PASSWORD, DEMO_DEVICE)
    await tablet.engine.pull()
    tablet.reload_assignment()
    return tablet


def server_facts(server_db: Path, client_id: str) -> list[tuple[str, int, str]]:
    """(stream, seq, sha256) of every fact the server holds from this client."""
    conn = sqlite3.connect(server_db)
    try:
        rows = conn.execute(
            "SELECT stream, seq, sha256 FROM facts WHERE client_id = ? ORDER BY stream, seq",
            (client_id,),
        ).fetchall()
    finally:
        conn.close()
    return [(str(s), int(q), str(h)) for s, q, h in rows]


def local_facts(store: Store) -> list[tuple[str, int, str]]:
    rows = store.conn.execute(
        "SELECT stream, stream_seq, sha256 FROM outbox WHERE client_id = ?"
        " ORDER BY stream, stream_seq",
        (store.client_id,),
    ).fetchall()
    return [(str(r[0]), int(r[1]), str(r[2])) for r in rows]


async def cache_assignment(base_url: str, data_dir: Path) -> None:
    """Log in once and leave today's assignment cached in the tablet database."""
    tablet = await logged_in_tablet(base_url, data_dir)
    await tablet.aclose()
    tablet.store.close()


def offline_tablet(base_url: str, data_dir: Path) -> Tablet:
    """A tablet on its cached database whose sync loop is not running."""
    store = Store(data_dir / "tablet.sqlite", device_id=DEMO_DEVICE)
    return Tablet(store, ApiClient(base_url), gps_source_name="simulator")
