"""What operators and form authors typed reaches the supervisor's screens as text, never
as markup; a sweep whose claimed time was set aside says what the tablet claimed; a
tablet whose database was set aside is flagged in the fleet."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from staff.api import SupervisorApi
from staff.fleet import FleetFeed, vehicle_from
from ui.supervisor.fleet_panel import STATUS_COLUMN, FleetPanel
from ui.supervisor.metrics_panel import MetricsPanel
from ui.supervisor.progress_panel import ProgressPanel

HOSTILE_LABEL = "<b>Rate</b> the map <img src=x onerror=alert(1)> &amp; </span>"


def _metrics(label: str) -> dict[str, Any]:
    days = ["2031-06-13", "2031-06-14"]
    return {
        "completion": [{"date": d, "pct": 50.0} for d in days],
        "curb_km_per_hour": [{"date": d, "km_per_hour": 3.0} for d in days],
        "speed_histogram": {"bin_kmh": 2, "counts": [1, 2, 3]},
        "exceptions_by_kind": {"<i>parked</i>": 2},
        "ratings": [
            {"question": "f/q", "label": label, "points": [{"date": days[1], "mean": 4.0}]}
        ],
    }


def test_a_form_label_with_markup_is_shown_as_text_in_the_ratings_legend(qtbot: QtBot) -> None:
    panel = MetricsPanel()
    qtbot.addWidget(panel)
    panel.show_metrics(_metrics(HOSTILE_LABEL))
    legend = panel.ratings.getPlotItem().legend
    [(_sample, label)] = legend.items
    assert label.item.toPlainText() == HOSTILE_LABEL
    assert list(panel.rating_series) == [HOSTILE_LABEL]


def test_a_sweep_with_an_implausible_time_shows_what_the_tablet_claimed(qtbot: QtBot) -> None:
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    sweep = {
        "time": "2031-06-14T09:45:00.000Z",
        "claimed_time": "9999-12-31T00:00:00Z",
        "username": "demo",
        "source": "inferred",
        "side": None,
    }
    segment = {
        "segment_id": "s-1",
        "street": "King St",
        "passes": 1,
        "swept_at": "2031-06-14T09:45:00.000Z",
        "swept_by": "demo",
        "sweeps": [sweep],
        "exceptions": [],
    }
    panel.show_history("uptown-north", [segment])
    items = [panel.history.item(0, col) for col in range(panel.history.columnCount())]
    cells = [item.text() for item in items if item is not None]
    assert any("9999-12-31" in text and "tablet" in text for text in cells), cells


def test_a_tablet_whose_database_was_set_aside_is_flagged_in_the_fleet(qtbot: QtBot) -> None:
    alert = "tablet database set aside as tablet.sqlite.damaged-1 at 09:40; 3 records recovered"
    feed = FleetFeed(SupervisorApi("http://127.0.0.1:9"))
    vehicle = vehicle_from(
        {
            "device_id": "demo-tablet-1",
            "vehicle": "Sweeper 12",
            "username": "demo",
            "route_id": "uptown-north",
            "alert": alert,
        }
    )
    assert vehicle.alert == alert
    feed.vehicles = {"demo-tablet-1": vehicle}
    panel = FleetPanel()
    qtbot.addWidget(panel)
    panel.show_fleet(feed)
    status = panel.table.item(0, STATUS_COLUMN)
    assert status is not None
    assert "database" in status.text()
    assert status.toolTip() == alert
