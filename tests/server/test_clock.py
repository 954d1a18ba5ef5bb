"""The server's clock is an input: with another clock installed, "today", every
`server_time`, token expiry, the metrics window and "days since swept" follow it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from server import admin
from server.clock import Clock, iso_z, local_today, use_clock
from server.embedded import EmbeddedServer
from tests.helpers.cambridge import import_cambridge
from tests.server.conftest import NewStore
from tests.server.helpers import (
    SUPERVISOR_LOGIN,
    event,
    login,
    push,
    today_assignment,
)


class SettableClock(Clock):
    """A clock a test moves by hand."""

    def __init__(self, moment: datetime) -> None:
        super().__init__(lambda: self.moment)
        self.moment = moment


# Far from any day this suite could run on, so nothing can pass by reading the real clock.
START = datetime(2031, 2, 3, 15, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def clock() -> Iterator[SettableClock]:
    settable = SettableClock(START)
    with use_clock(settable):
        yield settable


@pytest.fixture(scope="module")
def server(new_store: NewStore, clock: SettableClock) -> Iterator[EmbeddedServer]:
    embedded = EmbeddedServer(new_store(), seed_demo=True)
    embedded.start()
    with embedded.store.write() as conn:
        import_cambridge(conn)
    yield embedded
    embedded.stop()


@pytest.fixture(autouse=True)
def reset(clock: SettableClock) -> Iterator[None]:
    clock.moment = START
    yield
    clock.moment = START  # the other store's server is seeded next, on START's day


@pytest.fixture
def http(server: EmbeddedServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


def test_today_and_server_time_follow_the_installed_clock(http: httpx.Client) -> None:
    auth = login(http)
    body = http.get("/api/v1/assignments/today", headers=auth).json()
    assert body["date"] == "2031-02-03"
    assert body["server_time"] == "2031-02-03T15:30:00.000Z"
    # The demo seeding planned the operator's assignment on the clock's day.
    assert [a["date"] for a in body["assignments"]] == ["2031-02-03"]


def test_tokens_expire_on_the_installed_clock(http: httpx.Client, clock: SettableClock) -> None:
    auth = login(http)
    assert http.get("/api/v1/assignments/today", headers=auth).status_code == 200
    clock.moment = START + timedelta(days=2)
    assert http.get("/api/v1/assignments/today", headers=auth).status_code == 401


def test_metrics_window_and_days_since_swept_follow_the_clock(
    http: httpx.Client, clock: SettableClock
) -> None:
    auth = login(http)
    assignment = today_assignment(http, auth)
    segment = assignment["route"]["segments"]["features"][0]["id"]
    swept = {
        "assignment_id": assignment["id"],
        "route_id": assignment["route"]["id"],
        "segment_id": segment,
        "covered_fraction": 1.0,
        "source": "inferred",
    }
    when = iso_z(START - timedelta(hours=1))
    pushed = push(
        http, auth, str(uuid.uuid4()), [event(1, "segment_swept", swept, device_time=when)]
    )
    assert pushed.status_code == 200, pushed.text
    boss = login(http, SUPERVISOR_LOGIN)

    metrics = http.get("/api/v1/metrics", headers=boss).json()
    assert metrics["completion"][-1]["date"] == "2031-02-03"
    assert metrics["completion"][-1]["swept_m"] > 0

    # Ten days later the same sweep is ten days old, and no longer in today's window.
    clock.moment = START + timedelta(days=10)
    boss = login(http, SUPERVISOR_LOGIN)
    later = http.get("/api/v1/metrics", headers=boss).json()
    assert later["completion"][-1]["date"] == "2031-02-13"
    assert later["completion"][-1]["swept_m"] == 0


def test_days_since_swept_follow_the_clock(
    server: EmbeddedServer, http: httpx.Client, clock: SettableClock
) -> None:
    with server.store.write() as conn:
        row = conn.execute(
            "SELECT route_id, segment_id FROM segments WHERE route_id != ("
            " SELECT route_id FROM assignments LIMIT 1) ORDER BY route_id, segment_id LIMIT 1"
        ).fetchone()
        # A fact counts only for a route the tablet is assigned: give it this one too.
        admin.assign(
            conn,
            admin.AssignmentRequest(
                date=local_today().isoformat(),
                operator="demo",
                device_id="demo-tablet-1",
                route_id=row["route_id"],
                assignment_id="asg-cambridge",
            ),
        )
    auth = login(http)
    swept = {
        "assignment_id": "asg-cambridge",
        "route_id": row["route_id"],
        "segment_id": row["segment_id"],
        "covered_fraction": 1.0,
        "source": "inferred",
    }
    when = iso_z(START - timedelta(hours=2))
    pushed = push(
        http, auth, str(uuid.uuid4()), [event(1, "segment_swept", swept, device_time=when)]
    )
    assert pushed.status_code == 200, pushed.text

    def days_since() -> list[float]:
        boss = login(http, SUPERVISOR_LOGIN)
        areas = http.get("/api/v1/equity", headers=boss).json()["areas"]
        return [a["days_since_last_sweep"] for a in areas if a["last_swept_at"] is not None]

    assert days_since() == [pytest.approx(2 / 24, abs=0.01)]
    clock.moment = START + timedelta(days=10)
    assert days_since() == [pytest.approx(10 + 2 / 24, abs=0.01)]
