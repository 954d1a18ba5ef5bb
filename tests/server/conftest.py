"""Fixtures for the reference server tests: a real server on loopback, a real SQLite file.

One seeded server per test module keeps the suite fast; tests stay independent by using
their own random client_id (push/pull state is per client_id).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from server.embedded import EmbeddedServer
from tests.server.helpers import login


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    embedded = EmbeddedServer(tmp_path_factory.mktemp("server") / "server.db", seed_demo=True)
    embedded.start()
    yield embedded
    embedded.stop()


@pytest.fixture
def http(server: EmbeddedServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def auth(server: EmbeddedServer) -> dict[str, str]:
    """The demo operator's Authorization header (one login per module: scrypt is slow)."""
    with httpx.Client(base_url=server.url, timeout=10) as http:
        return login(http)


@pytest.fixture
def client_id() -> str:
    return str(uuid.uuid4())
