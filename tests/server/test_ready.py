"""`GET /api/v1/ready`: 200 naming the store while the database answers, 503 once this
process cannot reach it (what a load balancer in front of several processes checks)."""

from __future__ import annotations

import httpx

from server.embedded import EmbeddedServer
from tests.helpers.pg_cluster import PgCluster


def test_ready_names_the_store(server: EmbeddedServer, http: httpx.Client) -> None:
    response = http.get("/api/v1/ready")
    assert response.status_code == 200, response.text
    expected = "sqlite" if server.target == server.db_path else "postgresql"
    assert response.json()["database"] == expected


def test_not_ready_when_the_database_is_gone(pg_cluster: PgCluster) -> None:
    embedded = EmbeddedServer(pg_cluster.fresh_database())
    with embedded as url, httpx.Client(base_url=url, timeout=30) as http:
        assert http.get("/api/v1/ready").status_code == 200
        embedded.store.close()  # every connection of this process gone
        response = http.get("/api/v1/ready")
        assert http.get("/api/v1/health").status_code == 200  # the process still answers
    assert response.status_code == 503
    assert "database cannot be reached" in response.json()["detail"]
