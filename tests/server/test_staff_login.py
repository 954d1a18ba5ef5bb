"""The supervisor's console is an installed client like a tablet and sends its configured
device id when logging in; a staff login is never bound to a tablet, so the id is set
aside (enrolled or not) while an operator's login still must name a tablet they hold."""

from __future__ import annotations

import httpx

from tests.server.helpers import DEMO_LOGIN, SUPERVISOR_LOGIN


def test_a_staff_login_naming_a_device_is_not_bound_to_it(http: httpx.Client) -> None:
    for device_id in ("supervisor-pc", "demo-tablet-1"):
        r = http.post("/api/v1/auth/login", json={**SUPERVISOR_LOGIN, "device_id": device_id})
        assert r.status_code == 200, r.text
        assert r.json()["user"]["role"] == "supervisor"
        token = r.json()["access_token"]
        fleet = http.get("/api/v1/fleet", headers={"Authorization": f"Bearer {token}"})
        assert fleet.status_code == 200, fleet.text
    refused = http.post("/api/v1/auth/login", json={**DEMO_LOGIN, "device_id": "supervisor-pc"})
    assert refused.status_code == 403
    assert "not enrolled" in refused.json()["detail"]
