"""The public street feed: served without a token, each segment's last-swept day per
curb side, no position and no person anywhere in it, sweeps shown only once they are
`public_delay_hours` old (checked with an injected clock), and rate-limited per address."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from server.clock import Clock, iso_z, use_clock
from server.embedded import EmbeddedServer
from server.settings import Settings
from tests.server.conftest import NewStore
from tests.server.helpers import event, login, push, today_assignment

# Far from any day this suite could run on: nothing can pass by reading the real clock.
START = datetime(2031, 5, 6, 15, 30, tzinfo=UTC)
PEOPLE_AND_PLACES = {"lat", "lon", "username", "device_id", "vehicle", "operator", "swept_by"}


class SettableClock(Clock):
    def __init__(self, moment: datetime) -> None:
        super().__init__(lambda: self.moment)
        self.moment = moment


@pytest.fixture(scope="module")
def clock() -> Iterator[SettableClock]:
    settable = SettableClock(START)
    with use_clock(settable):
        yield settable


@pytest.fixture(scope="module")
def server(new_store: NewStore, clock: SettableClock) -> Iterator[EmbeddedServer]:
    clock.moment = START  # the demo is seeded on START's day, whatever a failed test left
    settings = replace(Settings(), public_delay_hours=24.0, public_requests_per_minute=1000)
    embedded = EmbeddedServer(new_store(), seed_demo=True, settings=settings)
    embedded.start()
    yield embedded
    embedded.stop()


def walk(value: Any) -> Iterator[tuple[str | None, Any]]:
    """Every (key, value) in a JSON document, nested values included."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield None, v
            yield from walk(v)


def local_day(moment: datetime) -> str:
    return moment.astimezone().date().isoformat()


def test_public_feed_is_delayed_and_holds_no_position_or_person(
    server: EmbeddedServer, clock: SettableClock
) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        auth = login(http)
        assignment = today_assignment(http, auth)
        features = assignment["route"]["segments"]["features"]
        recent, old = features[0]["id"], features[1]["id"]
        base = {"assignment_id": assignment["id"], "route_id": assignment["route"]["id"]}
        one_hour_ago = START - timedelta(hours=1)
        thirty_hours_ago = START - timedelta(hours=30)
        sweeps = [
            (recent, "left", one_hour_ago),
            (old, "both", thirty_hours_ago),
        ]
        events = [
            event(
                n + 1,
                "segment_swept",
                {
                    **base,
                    "segment_id": seg,
                    "covered_fraction": 1.0,
                    "source": "inferred",
                    "side": side,
                },
                gps_time=iso_z(when),
                device_time=iso_z(when),
            )
            for n, (seg, side, when) in enumerate(sweeps)
        ]
        r = push(http, auth, str(uuid.uuid4()), events)
        assert {x["status"] for x in r.json()["results"]} == {"applied"}, r.text

        r = http.get("/api/v1/public/streets")  # no Authorization header
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/geo+json")
        feed = r.json()
        assert feed["type"] == "FeatureCollection"
        assert feed["delay_hours"] == 24.0
        assert feed["as_of"] == iso_z(START - timedelta(hours=24))
        by_id = {
            f["id"].split("/", 1)[1]: f
            for f in feed["features"]
            if f["id"].startswith(base["route_id"] + "/")
        }
        assert set(by_id) == {f["id"] for f in features}
        assert by_id[old]["properties"]["last_swept"] == {
            "left": local_day(thirty_hours_ago),
            "right": local_day(thirty_hours_ago),
        }
        # Swept an hour ago: not shown yet.
        assert by_id[recent]["properties"]["last_swept"] == {"left": None, "right": None}
        keys = {k for k, _ in walk(feed) if k is not None}
        assert not keys & PEOPLE_AND_PLACES, keys & PEOPLE_AND_PLACES
        texts = {v for _, v in walk(feed) if isinstance(v, str)}
        assert not texts & {"demo", "demo-tablet-1", "Sweeper 12"}
        assert {f["geometry"]["type"] for f in feed["features"]} == {"LineString"}

        # A day later the recent sweep is old enough: its left side shows, its right not.
        clock.moment = START + timedelta(hours=24)
        later = http.get("/api/v1/public/streets").json()
        shown = {f["id"]: f["properties"]["last_swept"] for f in later["features"]}
        assert shown[f"{base['route_id']}/{recent}"] == {
            "left": local_day(one_hour_ago),
            "right": None,
        }
        clock.moment = START


def test_public_feed_is_rate_limited(new_store: NewStore, clock: SettableClock) -> None:
    settings = replace(Settings(), public_requests_per_minute=3)
    with (
        EmbeddedServer(new_store(), seed_demo=True, settings=settings) as url,
        httpx.Client(base_url=url, timeout=10) as http,
    ):
        codes = [http.get("/api/v1/public/streets").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        refused = http.get("/api/v1/public/streets")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert "requests a minute" in refused.json()["detail"]
