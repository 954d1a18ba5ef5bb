"""The status strip tells the operator, in plain words, what needs attention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot

from client.models import GpsQuality, GpsState, SyncState
from ui.status_panel import StatusPanel


def _panel(qtbot: QtBot, state: SyncState) -> StatusPanel:
    panel = StatusPanel()
    qtbot.add_widget(panel)
    panel.set_gps_state(GpsState(quality=GpsQuality.FIX))
    panel.set_sync_state(state)
    return panel


def test_nothing_wrong_means_no_banner(qtbot: QtBot) -> None:
    panel = _panel(qtbot, SyncState(online=True, offline_since=None, clock_skew_s=3.0))
    assert panel.banners() == []
    assert panel.banner_text() is None


def test_reassigned_route_facts_are_told_to_the_operator(qtbot: QtBot) -> None:
    panel = _panel(qtbot, SyncState(online=True, offline_since=None, stale_facts=4))
    (banner,) = panel.banners()
    assert "4 record(s)" in banner
    assert "reassigned" in banner


def test_sequence_conflicts_raise_a_loud_alert(qtbot: QtBot) -> None:
    panel = _panel(qtbot, SyncState(online=True, offline_since=None, conflicts=2))
    assert any("2 record(s) clash" in b for b in panel.banners())


def test_clock_skew_is_shown_beyond_two_minutes(qtbot: QtBot) -> None:
    off = _panel(qtbot, SyncState(online=True, offline_since=None, clock_skew_s=-3 * 3600.0))
    assert any("180 min" in b for b in off.banners())
    fine = _panel(qtbot, SyncState(online=True, offline_since=None, clock_skew_s=90.0))
    assert not any("clock" in b for b in fine.banners())


def test_long_offline_and_rejections_are_explained(qtbot: QtBot) -> None:
    since = datetime.now(UTC) - timedelta(hours=2)
    panel = _panel(qtbot, SyncState(online=False, offline_since=since, rejected=1))
    banners = panel.banners()
    assert any("refused 1 record(s)" in b for b in banners)
    assert any("No connection since" in b for b in banners)
    assert panel.banner_text() is not None


def test_a_database_set_aside_at_start_is_told_not_no_problems(qtbot: QtBot) -> None:
    notice = (
        "The tablet's database was damaged and has been set aside as tablet.sqlite.damaged-1;"
        " a fresh one was started. Tell your supervisor."
    )
    panel = _panel(qtbot, SyncState(online=True, offline_since=None, storage_notice=notice))
    assert any("set aside" in b for b in panel.banners())
    assert "set aside" in (panel.banner_text() or "")
    assert panel.error_label.text() != "No problems"
