"""The tablet's clock is an input: the shift's assignment, fact times and ack times come
from the clock the tablet is given, not from the day the code runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from app.tablet import Tablet
from client.api import ApiClient
from client.store import Store
from tests.helpers.routes import waterloo_route
from tests.ui.operator_rig import UNREACHABLE, assignment_value


class SettableClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def today(self) -> date:
        return self.moment.date()


# Far from any day this suite could run on: nothing passes by reading the real clock.
START = datetime(2031, 2, 3, 15, 30, tzinfo=UTC)


def _tablet(tmp_path: Path, clock: SettableClock) -> Tablet:
    tablet = Tablet(
        Store(tmp_path / "tablet.sqlite", device_id="tab-3"), ApiClient(UNREACHABLE), clock=clock
    )
    route = waterloo_route(3)
    changes = []
    for n, day in enumerate(("2031-02-02", "2031-02-03", "2031-02-04")):
        value = {**assignment_value(route), "id": f"asg-{n}", "date": day}
        changes.append(
            {"op": "put", "entity": "assignment", "id": value["id"], "version": 1, "value": value}
        )
    tablet.assignments.apply_pull({"cursor": "c1", "reset": True}, changes)
    tablet.reload_assignment()
    return tablet


def test_the_shift_is_the_clocks_day(tmp_path: Path) -> None:
    clock = SettableClock(START)
    tablet = _tablet(tmp_path, clock)
    assert tablet.assignment is not None
    assert tablet.assignment.date == "2031-02-03"
    clock.moment = START + timedelta(days=1)
    tablet.reload_assignment()
    assert tablet.assignment.date == "2031-02-04"


def test_facts_are_stamped_by_the_clock(tmp_path: Path) -> None:
    clock = SettableClock(START)
    tablet = _tablet(tmp_path, clock)
    tablet.add_note("hydrant leaking")
    rows = tablet.store.conn.execute("SELECT device_time FROM outbox").fetchall()
    assert [r["device_time"] for r in rows] == ["2031-02-03T15:30:00.000Z"]
