"""Fixtures for the reference server tests: a real server on loopback, on a real SQLite
file and on a real PostgreSQL database.

One seeded server per test module (and store) keeps the suite fast; tests stay
independent by using their own random client_id (push/pull state is per client_id).
The PostgreSQL cluster is started once per test run (tests/helpers/pg_cluster.py), and
each server gets a fresh database in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from server.dbapi import Store
from server.embedded import EmbeddedServer
from server.stores import open_store
from tests.helpers.pg_cluster import PgCluster
from tests.server.helpers import login

STORES = ("sqlite", "postgresql")
# A function giving a new, empty store: a SQLite file path or a PostgreSQL URL.
NewStore = Callable[[], str | Path]


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    cluster = PgCluster()
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module", params=STORES)
def new_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> NewStore:
    """Module-wide: every store this module's tests make is of one kind (both kinds run)."""
    if request.param == "sqlite":
        return lambda: tmp_path_factory.mktemp("server") / "server.db"
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    return cluster.fresh_database


@pytest.fixture
def store(new_store: NewStore) -> Iterator[Store]:
    """A store of its own for one test (domain rules called directly), migrated, empty."""
    opened = open_store(new_store())
    opened.migrate()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def server(new_store: NewStore) -> Iterator[EmbeddedServer]:
    embedded = EmbeddedServer(new_store(), seed_demo=True)
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
