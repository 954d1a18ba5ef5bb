"""Exports (CSV and GeoJSON match the facts), pilot metrics, feedback filters, and the
equity view over the real Cambridge MA sweeping districts and centrelines."""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from server.dbapi import Store
from server.embedded import EmbeddedServer
from server.equity import import_areas
from tests.helpers.cambridge import DATA, import_cambridge
from tests.server.conftest import NewStore
from tests.server.helpers import SUPERVISOR_LOGIN, event, fix_batch, login, push, today_assignment

SURVEY = {
    "id": "shift-survey",
    "title": "Shift",
    "questions": [
        {"id": "rating", "type": "rating", "label": "Shift rating", "required": True},
        {"id": "why", "type": "short_text", "label": "Why?"},
    ],
}


@pytest.fixture(scope="module")
def cambridge(new_store: NewStore) -> Iterator[EmbeddedServer]:
    embedded = EmbeddedServer(new_store(), seed_demo=True)
    embedded.start()
    with embedded.store.write() as conn:
        import_cambridge(conn)
    yield embedded
    embedded.stop()


def test_export_and_metrics_match_the_facts(http: httpx.Client, auth: dict[str, str]) -> None:
    sup = login(http, SUPERVISOR_LOGIN)
    form = http.post("/api/v1/forms", json={"definition": SURVEY}, headers=sup).json()["form"]
    assignment = today_assignment(http, auth)
    route = assignment["route"]["id"]
    segments = [f["id"] for f in assignment["route"]["segments"]["features"][:3]]
    client_id = str(uuid.uuid4())
    now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    swept = [
        event(
            n,
            "segment_swept",
            {
                "assignment_id": assignment["id"],
                "route_id": route,
                "segment_id": s,
                "covered_fraction": 1.0,
                "source": "inferred",
            },
            device_time=now,
        )
        for n, s in enumerate(segments, 1)
    ]
    others = [
        event(
            4,
            "exception",
            {
                "kind": "parked_cars",
                "side": "left",
                "route_id": route,
                "segment_id": segments[0],
                "lat": 43.47,
                "lon": -80.52,
                "note": '=HYPERLINK("x")',
            },
            device_time=now,
        ),
        event(
            5,
            "form_answer",
            {
                "form_id": "shift-survey",
                "form_version": form["version"],
                "answers": {"rating": 4, "why": "good"},
                "route_id": route,
                "segment_id": segments[1],
                "lat": 43.471,
                "lon": -80.521,
            },
            device_time=now,
        ),
        event(
            6,
            "note",
            {"text": "Broken hydrant", "assignment_id": assignment["id"]},
            device_time=now,
        ),
    ]
    results = push(http, auth, client_id, swept + others).json()["results"]
    assert {r["status"] for r in results} == {"applied"}
    t0 = int(time.time() * 1000)
    fixes = [[t0 + i * 1000, 43.47, -80.52 + i * 1e-4, 3.0 + i % 3, 90.0, 4.0] for i in range(60)]
    push(http, auth, client_id, [fix_batch(1, fixes)], stream="gps")

    progress = list(
        csv.DictReader(io.StringIO(http.get("/api/v1/export/progress", headers=sup).text))
    )
    done = {(r["route_id"], r["segment_id"]) for r in progress if r["swept"] == "True"}
    assert {(route, s) for s in segments} <= done
    geo = http.get("/api/v1/export/progress", params={"format": "geojson"}, headers=sup)
    assert geo.headers["content-type"].startswith("application/geo+json")
    features = geo.json()["features"]
    assert len(features) == len(progress)
    assert features[0]["geometry"]["type"] == "LineString"

    exceptions = list(
        csv.DictReader(io.StringIO(http.get("/api/v1/export/exceptions", headers=sup).text))
    )
    mine = [r for r in exceptions if r["kind"] == "parked_cars" and r["segment_id"] == segments[0]]
    assert mine
    assert mine[-1]["note"].startswith("'=")  # a formula is not run by a spreadsheet
    points = http.get("/api/v1/export/exceptions", params={"format": "geojson"}, headers=sup)
    assert [-80.52, 43.47] in [f["geometry"]["coordinates"] for f in points.json()["features"]]

    feedback = list(
        csv.DictReader(io.StringIO(http.get("/api/v1/export/feedback", headers=sup).text))
    )
    assert {"question_id": "rating", "answer": "4"}.items() <= next(
        r for r in feedback if r["question_id"] == "rating"
    ).items()
    assert any(r["type"] == "note" and r["answer"] == "Broken hydrant" for r in feedback)
    filtered = http.get(
        "/api/v1/feedback",
        params={"question": "why", "operator": "demo", "route_id": route},
        headers=sup,
    ).json()
    assert [i["answers"][1]["value"] for i in filtered["items"]] == ["good"]
    assert filtered["items"][0]["lat"] == pytest.approx(43.471)
    assert (
        http.get("/api/v1/feedback", params={"operator": "nobody"}, headers=sup).json()["items"]
        == []
    )

    metrics = http.get("/api/v1/metrics", headers=sup).json()
    today = metrics["completion"][-1]
    assert today["swept_m"] > 0
    assert metrics["exceptions_by_kind"]["parked_cars"] >= 1
    assert sum(metrics["speed_histogram"]["counts"]) >= 60
    assert metrics["curb_km_per_hour"][-1]["hours"] == pytest.approx(59 / 3600, abs=0.001)
    assert metrics["ratings"][0]["points"][-1]["mean"] == 4
    history = http.get(f"/api/v1/routes/{route}/history", headers=sup).json()["segments"]
    first = next(s for s in history if s["segment_id"] == segments[0])
    assert first["sweeps"][0]["username"] == "demo"
    assert first["exceptions"][0]["kind"] == "parked_cars"
    assert (
        http.get(
            "/api/v1/metrics", params={"since": "2026-02-01", "until": "2026-01-01"}, headers=sup
        ).status_code
        == 422
    )


def test_equity_by_cambridge_district(cambridge: EmbeddedServer) -> None:
    with httpx.Client(base_url=cambridge.url, timeout=30) as http:
        sup = login(http, SUPERVISOR_LOGIN)
        areas = http.get("/api/v1/equity", headers=sup).json()["areas"]
    by_name = {a["name"]: a for a in areas}
    assert sorted(by_name) == list("ABCDEFGHJK")
    # The centrelines' own district attribute agrees with point-in-polygon for most.
    data = json.loads((DATA / "cambridge_centerlines_with_sweep_district.geojson").read_text())
    expected: dict[str, int] = {}
    for f in data["features"]:
        d = f["properties"].get("sweep_district")
        if d:
            expected[d] = expected.get(d, 0) + 1
    for name, area in by_name.items():
        assert area["segments"] == pytest.approx(expected[name], rel=0.15), name
        assert area["completion_pct"] == 0.0
        assert area["days_since_last_sweep"] is None


SQUARE = [[[0.0, 0.0], [0.1, 0.0], [0.1, 0.1], [0.0, 0.0]]]


@pytest.mark.parametrize(
    ("name", "geometry", "words"),
    [
        ("Z", {"type": "Point", "coordinates": [0, 0]}, "feature #0"),
        # PostgreSQL's text cannot hold U+0000: named on every store, not stored.
        ("Z\x00", {"type": "Polygon", "coordinates": SQUARE}, r"feature #0 .*U\+0000"),
    ],
)
def test_import_areas_refuses_bad_features(
    store: Store, name: str, geometry: dict[str, object], words: str
) -> None:
    bad = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"District": name}, "geometry": geometry}],
    }
    with store.write() as conn, pytest.raises(ValueError, match=words):
        import_areas(conn, bad, name_field="District", kind="district", id_prefix="")
    with store.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM areas").fetchone()[0] == 0
