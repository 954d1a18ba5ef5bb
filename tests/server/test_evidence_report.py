"""Street evidence and the daily report on the real server: the evidence names each
sweep's side, vehicle, operator, rule and the vehicle's speeds on the segment, and the
exceptions reported there; the report adds up the day; both render as one HTML page
(folium map with the bundled Leaflet inlined, nothing loaded from elsewhere) in English
and French."""

from __future__ import annotations

import csv
import io
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from server.clock import iso_z
from server.embedded import EmbeddedServer
from server.equity import import_areas
from tests.server.conftest import NewStore
from tests.server.helpers import SUPERVISOR_LOGIN, event, fix_batch, login, push, today_assignment


def box(west: float, south: float, east: float, north: float) -> list[list[list[float]]]:
    return [[[west, south], [east, south], [east, north], [west, north], [west, south]]]


# One district around all of Uptown Waterloo, one far away holding no street.
DISTRICTS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"District": "Uptown"},
            "geometry": {"type": "Polygon", "coordinates": box(-80.60, 43.40, -80.40, 43.55)},
        },
        {
            "type": "Feature",
            "properties": {"District": "Elsewhere"},
            "geometry": {"type": "Polygon", "coordinates": box(-79.0, 44.0, -78.9, 44.1)},
        },
    ],
}
SURVEY = {
    "id": "pilot-survey",
    "title": "Pilot survey",
    "questions": [
        {"id": "shift", "type": "rating", "label": "How was the shift?", "required": True},
        {"id": "issue", "type": "short_text", "label": "Anything to fix?"},
    ],
}


@pytest.fixture(scope="module")
def world(new_store: NewStore) -> Iterator[dict[str, Any]]:
    """A server where the demo operator swept one segment's left side (driving along it at
    known speeds), then both sides, and reported parked cars there and a skipped segment."""
    embedded = EmbeddedServer(new_store(), seed_demo=True)
    embedded.start()
    with embedded.store.write() as conn:
        import_areas(conn, DISTRICTS, name_field="District", kind="district", id_prefix="d-")
    with httpx.Client(base_url=embedded.url, timeout=10) as http:
        staff = login(http, SUPERVISOR_LOGIN)
        form = http.post("/api/v1/forms", json={"definition": SURVEY}, headers=staff).json()
        auth = login(http)
        assignment = today_assignment(http, auth)
        route_id = assignment["route"]["id"]
        first, second = assignment["route"]["segments"]["features"][:2]
        coords = first["geometry"]["coordinates"]
        now = time.time()
        # Along the first segment at 8 to 11 km/h (2.2 to 3.1 m/s), the minute before the sweep.
        steps = 20
        fixes = []
        for i in range(steps):
            f = i / (steps - 1)
            lon = coords[0][0] + f * (coords[-1][0] - coords[0][0])
            lat = coords[0][1] + f * (coords[-1][1] - coords[0][1])
            fixes.append([(now - 60 + i * 2) * 1000, lat, lon, 2.2 + (i % 4) * 0.3, 90.0, 4.0])
        client_id = str(uuid.uuid4())
        assert push(http, auth, client_id, [fix_batch(1, fixes)], stream="gps").status_code == 200
        base = {"assignment_id": assignment["id"], "route_id": route_id}
        swept_at = iso_z(datetime.fromtimestamp(now - 20, UTC))
        both_at = iso_z(datetime.fromtimestamp(now - 5, UTC))
        sweep = {
            **base,
            "segment_id": first["id"],
            "covered_fraction": 0.97,
            "source": "sensed",
            "profile": "sweepline",
            "rule": "each curb side over 80 % of its length",
            "extent_pct_by_side": {"left": 97.0, "right": 12.0},
        }
        events = [
            event(1, "segment_swept", {**sweep, "side": "left"}, gps_time=swept_at),
            event(
                2,
                "segment_swept",
                {**sweep, "side": "both", "extent_pct_by_side": {"left": 97.0, "right": 91.0}},
                gps_time=both_at,
            ),
            event(
                3,
                "exception",
                {
                    **base,
                    "kind": "parked_cars",
                    "segment_id": first["id"],
                    "side": "right",
                    "note": "<b>Three</b> cars",
                    "lat": coords[0][1],
                    "lon": coords[0][0],
                },
            ),
            event(
                4,
                "segment_not_swept",
                {**base, "segment_id": second["id"], "reason": "construction"},
            ),
            event(
                5,
                "note",
                {**base, "text": "Dorset St. blocked", "lat": coords[0][1], "lon": coords[0][0]},
            ),
            event(
                6,
                "form_answer",
                {
                    **base,
                    "form_id": form["form"]["id"],
                    "form_version": form["form"]["version"],
                    "answers": {"shift": 4, "issue": "brush worn"},
                },
            ),
        ]
        r = push(http, auth, client_id, events)
        assert {x["status"] for x in r.json()["results"]} == {"applied"}, r.text
        yield {
            "url": embedded.url,
            "staff": staff,
            "route_id": route_id,
            "first": first["id"],
            "second": second["id"],
            "swept_at": swept_at,
            "both_at": both_at,
        }
    embedded.stop()


def test_evidence_names_each_sweep_and_exception(world: dict[str, Any]) -> None:
    with httpx.Client(base_url=world["url"], timeout=10, headers=world["staff"]) as http:
        r = http.get(f"/api/v1/evidence/{world['route_id']}/{world['first']}?format=json")
        assert r.status_code == 200, r.text
        data = r.json()
    assert data["passes"] == 2
    assert data["last_swept_by_side"] == {"left": world["both_at"], "right": world["both_at"]}
    sweeps = data["sweeps"]
    assert [(s["time"], s["side"]) for s in sweeps] == [
        (world["swept_at"], "left"),
        (world["both_at"], "both"),
    ]
    first = sweeps[0]
    assert (first["vehicle"], first["username"], first["source"]) == (
        "Sweeper 12",
        "demo",
        "sensed",
    )
    assert first["rule"] == "each curb side over 80 % of its length"
    assert first["extent_pct_by_side"] == {"left": 97.0, "right": 12.0}
    speeds = first["speeds"]
    assert speeds["fixes"] >= 10
    assert 7.9 <= speeds["min_kmh"] <= speeds["median_kmh"] <= speeds["max_kmh"] <= 11.2
    assert [(e["kind"], e["side"], e["note"]) for e in data["exceptions"]] == [
        ("parked_cars", "right", "<b>Three</b> cars")
    ]


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", ["Street evidence", "Sweeps", "left"]), ("fr", ["Preuve de balayage", "gauche"])],
)
def test_evidence_page_renders_in_both_languages(
    world: dict[str, Any], lang: str, words: list[str]
) -> None:
    with httpx.Client(base_url=world["url"], timeout=10, headers=world["staff"]) as http:
        r = http.get(f"/api/v1/evidence/{world['route_id']}/{world['first']}?lang={lang}")
        missing = http.get(f"/api/v1/evidence/{world['route_id']}/nope")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    assert f'<html lang="{lang}">' in page
    for word in words:
        assert word in page
    assert "folium-map" in page
    assert "L.polyline" in page
    assert "&lt;b&gt;Three&lt;/b&gt; cars" in page  # the operator's note, as text
    assert not re.search(r"<(script|link)[^>]+(src|href)=", page), "nothing loaded from elsewhere"
    assert missing.status_code == 404


def test_daily_report_adds_up_the_day(world: dict[str, Any]) -> None:
    with httpx.Client(base_url=world["url"], timeout=10, headers=world["staff"]) as http:
        day = world["both_at"][:10]
        data = http.get("/api/v1/reports/daily", params={"date": day, "format": "json"}).json()
        html_fr = http.get("/api/v1/reports/daily", params={"date": day, "lang": "fr"})
        bad = http.get("/api/v1/reports/daily", params={"date": "2026-02-30"})
    route = next(r for r in data["routes"] if r["route_id"] == world["route_id"])
    assert route["operators"] == ["demo"]
    assert route["swept_m"] > 0
    [district] = data["districts"]  # "Elsewhere" holds no street
    assert district["name"] == "Uptown"
    assert district["swept_m"] == pytest.approx(route["swept_m"], abs=0.2)
    assert 0 < district["pct"] < route["pct"]  # every route's streets count, one was swept
    assert data["exceptions_by_kind"] == {"not swept: construction": 1, "parked_cars": 1}
    assert data["ratings"] == [{"label": "How was the shift?", "mean": 4.0, "count": 1}]
    assert {c["text"] for c in data["comments"]} == {"Dorset St. blocked", "brush worn"}
    assert [f["device_id"] for f in data["freshness"]] == ["demo-tablet-1"]
    assert data["freshness"][0]["facts"] == 7
    assert sum(data["curb_km_by_hour"].values()) == pytest.approx(route["swept_m"] / 1000, abs=1e-3)
    assert html_fr.status_code == 200
    assert "Rapport quotidien du projet pilote" in html_fr.text
    assert "<svg" in html_fr.text
    assert bad.status_code == 422


def test_exports_carry_sides_rules_and_every_exception(world: dict[str, Any]) -> None:
    with httpx.Client(base_url=world["url"], timeout=10, headers=world["staff"]) as http:
        progress = http.get("/api/v1/export/progress", params={"format": "csv"}).text
        geo = http.get("/api/v1/export/exceptions", params={"format": "geojson"}).json()
    rows = list(csv.DictReader(io.StringIO(progress)))
    swept = next(r for r in rows if r["segment_id"] == world["first"])
    assert (swept["sides"], swept["rule"]) == (
        "left,right",
        "sweepline / each curb side over 80 % of its length",
    )
    assert swept["passes"] == "2"
    kinds = {f["properties"]["kind"]: f for f in geo["features"]}
    assert set(kinds) == {"parked_cars", "not swept: construction"}
    assert kinds["parked_cars"]["properties"]["placed"] == "reported"
    assert kinds["not swept: construction"]["properties"]["placed"] == "segment"
    assert all(f["geometry"]["type"] == "Point" for f in geo["features"])
