"""Today's assignments and route status, as docs/api.md describes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.server.helpers import SUPERVISOR_LOGIN, event, login, push, today_assignment


def test_assignments_today_has_the_demo_route_with_segments(
    http: httpx.Client, auth: dict[str, str]
) -> None:
    body = http.get("/api/v1/assignments/today", headers=auth).json()
    assert body["date"] == datetime.now().astimezone().date().isoformat()
    assert body["server_time"].endswith("Z")
    [assignment] = body["assignments"]
    assert assignment["id"].startswith("asg-")
    assert assignment["version"] == 1
    assert assignment["date"] == body["date"]
    assert assignment["operator"] == "demo"
    assert assignment["device_id"] == "demo-tablet-1"
    assert assignment["vehicle"] == "Sweeper 12"
    route = assignment["route"]
    assert (route["id"], route["name"]) == ("uptown-north", "Uptown North")
    assert "OpenStreetMap" in route["attribution"]
    features = route["segments"]["features"]
    assert route["segments"]["type"] == "FeatureCollection"
    assert len(features) > 10
    assert abs(sum(f["properties"]["length_m"] for f in features) - route["length_m"]) < 1.0
    for feature in features:
        assert feature["type"] == "Feature"
        assert feature["id"] == feature["properties"]["id"]
        assert feature["id"].startswith("osm-")
        assert feature["geometry"]["type"] == "LineString"
        assert len(feature["geometry"]["coordinates"]) >= 2
        lon, lat = feature["geometry"]["coordinates"][0]
        assert -80.6 < lon < -80.4
        assert 43.4 < lat < 43.5
        props = feature["properties"]
        assert props["street"]
        assert props["length_m"] >= 15
        assert isinstance(props["lanes"], int)
        assert props["lanes"] >= 1
        assert isinstance(props["oneway"], bool)


def test_supervisor_sees_every_assignment_of_today(http: httpx.Client) -> None:
    body = http.get("/api/v1/assignments/today", headers=login(http, SUPERVISOR_LOGIN)).json()
    assert [a["operator"] for a in body["assignments"]] == ["demo"]


def test_route_status_lists_swept_segments_only(
    http: httpx.Client, auth: dict[str, str], client_id: str
) -> None:
    assignment = today_assignment(http, auth)
    route = assignment["route"]
    segment_id = route["segments"]["features"][3]["id"]
    swept = {
        "assignment_id": assignment["id"],
        "route_id": route["id"],
        "segment_id": segment_id,
        "covered_fraction": 0.93,
        "source": "inferred",
    }
    # Hours ago, as this session sees the clock: older than the receive time, not so old
    # that the server would set the claim aside as implausible.
    earlier = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)
    later = earlier + timedelta(minutes=40)
    events = [
        event(1, "segment_swept", swept, gps_time=earlier.isoformat()),
        event(2, "segment_swept", swept, gps_time=later.strftime("%Y-%m-%dT%H:%M:%SZ")),
    ]
    assert push(http, auth, client_id, events).status_code == 200
    body = http.get(f"/api/v1/routes/{route['id']}/status", headers=auth).json()
    assert body["route_id"] == route["id"]
    [state] = [s for s in body["segments"] if s["segment_id"] == segment_id]
    assert state["swept"] is True
    assert state["swept_by"] == "demo"
    assert state["passes"] >= 2
    assert state["swept_at"] == later.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_route_status_is_only_for_assigned_routes(http: httpx.Client, auth: dict[str, str]) -> None:
    assert http.get("/api/v1/routes/uptown-east/status", headers=auth).status_code == 403
    assert http.get("/api/v1/routes/nowhere/status", headers=auth).status_code == 404
    supervisor = login(http, SUPERVISOR_LOGIN)
    response = http.get("/api/v1/routes/uptown-east/status", headers=supervisor)
    assert response.status_code == 200
    assert response.json()["segments"] == []
