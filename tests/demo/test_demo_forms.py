"""The demo's server carries the pilot's forms, so the survey and feedback button work."""

from __future__ import annotations

from pathlib import Path

import httpx

from demo.operator import seed_forms
from server.embedded import EmbeddedServer


def test_demo_server_offers_the_pilot_forms(tmp_path: Path) -> None:
    with EmbeddedServer(tmp_path / "server.sqlite", seed_demo=True) as url:
        seed_forms(tmp_path / "server.sqlite")
        seed_forms(tmp_path / "server.sqlite")  # a restart keeps the versions
        with httpx.Client(base_url=url, timeout=10) as http:
            token = http.post(
                "/api/v1/auth/login", json={"username": "demo", "password": "sweep-demo"}
            ).json()["access_token"]
            forms = http.get("/api/v1/forms", headers={"Authorization": f"Bearer {token}"}).json()[
                "forms"
            ]
    assert sorted((f["id"], f["version"]) for f in forms) == [
        ("pilot-end-of-shift", 1),
        ("pilot-feedback", 1),
    ]
