"""The server can require a minimum tablet version; an older tablet is told, keeps its queue."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from app.tablet import Tablet
from client.api import ApiClient
from client.errors import UpdateRequired
from client.store import Store
from client.version import VERSION
from server.embedded import EmbeddedServer
from server.settings import Settings
from tests.e2e.live_tablet import DEMO_DEVICE, DEMO_PASSWORD, DEMO_USER, logged_in_tablet
from tests.server.conftest import NewStore


def _next_major(version: str) -> str:
    return f"{int(version.split('.')[0]) + 1}.0.0"


async def _tablet_with_todays_assignment(url: str, data_dir: Path) -> Tablet:
    """Logged in, with today's assignment cached through the plain read (a pull would
    already need the update)."""
    api = ApiClient(url)
    tablet = Tablet(Store(data_dir / "tablet.sqlite", device_id=DEMO_DEVICE), api)
    await api.login(DEMO_USER, DEMO_PASSWORD, DEMO_DEVICE)
    changes = [
        {"op": "put", "entity": "assignment", "id": a["id"], "version": a["version"], "value": a}
        for a in await api.assignments_today()
    ]
    tablet.assignments.apply_pull({"reset": True, "cursor": None}, changes)
    tablet.reload_assignment()
    return tablet


def test_health_announces_the_minimum_and_an_older_tablet_must_update(
    tmp_path: Path, new_store: NewStore
) -> None:
    minimum = _next_major(VERSION)
    settings = Settings(min_client_version=minimum)
    with EmbeddedServer(new_store(), seed_demo=True, settings=settings) as url:
        assert httpx.get(f"{url}/api/v1/health").json()["min_client_version"] == minimum

        async def attempt() -> int:
            tablet = await _tablet_with_todays_assignment(url, tmp_path)
            try:
                tablet.start_shift()  # a fact that has to wait for the update
                with pytest.raises(UpdateRequired, match=f"needs Sweepline {minimum}"):
                    await tablet.engine.sync_once()
                return tablet.outbox.pending_counts()["events"]
            finally:
                await tablet.aclose()
                tablet.store.close()

        assert asyncio.run(attempt()) == 1, "the fact stays queued for after the update"


def test_a_current_tablet_syncs_when_the_minimum_is_met(
    tmp_path: Path, new_store: NewStore
) -> None:
    settings = Settings(min_client_version=VERSION)
    with EmbeddedServer(new_store(), seed_demo=True, settings=settings) as url:

        async def attempt() -> dict[str, int]:
            tablet = await logged_in_tablet(url, tmp_path)
            try:
                tablet.start_shift()
                await tablet.engine.sync_once()
                return tablet.outbox.pending_counts()
            finally:
                await tablet.aclose()
                tablet.store.close()

        assert asyncio.run(attempt()) == {"events": 0, "gps": 0}
