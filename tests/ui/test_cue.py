"""The sound cues: a recorded tap and an arriving message sound (bundled sounds, the
config's volume), nothing with the switch off or without a config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.tablet import Tablet
from client.config import Config
from client.models import CurbSide, ExceptionKind
from coverage.model import Route
from tests.ui.conftest import delete_widget, wait_for_map, waterloo_route
from tests.ui.operator_rig import close_tablet, drive_along, make_tablet, pull_changes
from ui.cue import CUES
from ui.operator_window import OperatorWindow

# QtMultimedia on a machine with no sound server says so; that is the machine.
pytestmark = pytest.mark.qt_log_ignore(
    "pipewire", "va-x11", "va-drm", r"\bva\b", "PulseAudio", "FFmpeg", "audio"
)


@pytest.fixture
def route() -> Route:
    return waterloo_route(8)


@pytest.fixture
def tablet(tmp_path: Path, route: Route) -> Iterator[Tablet]:
    t = make_tablet(tmp_path, route)
    yield t
    close_tablet(t)


@pytest.fixture
def window(qtbot: QtBot, tablet: Tablet) -> Iterator[OperatorWindow]:
    win = OperatorWindow(tablet, theme_mode="day")
    win.resize(1280, 800)
    wait_for_map(qtbot, win)
    yield win
    delete_widget(win)


def message(tablet: Tablet, message_id: str) -> None:
    value = {
        "id": message_id,
        "text": "Call me",
        "sender": "Lee",
        "sent_at": "2024-05-01T13:05:00+00:00",
    }
    pull_changes(
        tablet, [{"op": "put", "entity": "message", "id": message_id, "version": 1, "value": value}]
    )


def test_a_tap_and_a_message_sound_at_the_configured_volume(
    window: OperatorWindow, tablet: Tablet, route: Route
) -> None:
    config = Config()
    assert config.sound_cues
    window.cue.configure(enabled=config.sound_cues, volume=config.sound_volume)
    tablet.record_fix(next(drive_along(route.segments[0], tablet.clock.now())))
    window.report_exception(ExceptionKind.BLOCKED, CurbSide.RIGHT)
    message(tablet, "msg-1")
    assert window.cue.played == ["tap", "message"]
    effect = window.cue.effect("tap")
    assert Path(effect.source().toLocalFile()) == CUES["tap"]
    assert CUES["tap"].stat().st_size > 1000
    assert effect.volume() == pytest.approx(0.6, abs=0.01)
    message(tablet, "msg-1")  # the same message again: no new sound
    assert window.cue.played == ["tap", "message"]


def test_no_sound_when_switched_off_or_without_a_config(
    window: OperatorWindow, tablet: Tablet, route: Route
) -> None:
    tablet.record_fix(next(drive_along(route.segments[0], tablet.clock.now())))
    window.report_exception(ExceptionKind.BLOCKED, CurbSide.RIGHT)  # no config: silent
    window.cue.configure(enabled=False, volume=0.6)
    window.report_exception(ExceptionKind.OTHER, CurbSide.LEFT)
    message(tablet, "msg-2")
    assert window.cue.played == []
