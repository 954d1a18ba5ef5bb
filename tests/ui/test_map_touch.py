"""The map under a finger: a tap 20 px off a route line still opens its panel, the panel
closes by itself, the legend folds out of the way when tapped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.tablet import Tablet
from coverage.model import Route
from tests.ui.conftest import delete_widget, run_js, wait_for_map, waterloo_route
from tests.ui.operator_rig import close_tablet, make_tablet
from ui.operator_window import OperatorWindow

OFF_LINE_PX = 20


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


def click(window: OperatorWindow, x: float, y: float) -> None:
    target = window.map_view.web_view().focusProxy()
    assert target is not None
    QTest.mouseClick(
        target,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(round(x), round(y)),
    )


def steady_point(qtbot: QtBot, window: OperatorWindow, segment_id: str) -> dict[str, float]:
    expression = f"window.sweepline.segmentPoint({segment_id!r})"
    point = run_js(qtbot, window.map_view, expression)
    for _ in range(50):
        qtbot.wait(100)
        again = run_js(qtbot, window.map_view, expression)
        if again == point:
            break
        point = again
    assert isinstance(point, dict)
    return point


def test_a_tap_beside_a_line_opens_its_panel_which_then_closes_itself(
    qtbot: QtBot, window: OperatorWindow, route: Route
) -> None:
    run_js(qtbot, window.map_view, "window.sweepline.infoCloseMs = 1500")
    # A mostly east-west street: 20 px below its middle is beside the 8 px line.
    segment = route.segments[0]
    point = steady_point(qtbot, window, segment.id)
    click(window, point["x"], point["y"] + OFF_LINE_PX)

    def shown() -> object:
        return run_js(qtbot, window.map_view, "window.sweepline.shownInfo()")

    qtbot.wait_until(lambda: shown() is not None)
    info = shown()
    assert isinstance(info, dict)
    assert info["id"] == segment.id
    qtbot.wait_until(lambda: shown() is None, timeout=5000)


def test_a_tap_far_from_any_line_opens_nothing(
    qtbot: QtBot, window: OperatorWindow, route: Route
) -> None:
    point = steady_point(qtbot, window, route.segments[0].id)
    click(window, point["x"], point["y"] + 60)
    qtbot.wait(500)
    assert run_js(qtbot, window.map_view, "window.sweepline.shownInfo()") is None


def test_the_legend_folds_when_tapped_and_unfolds_again(
    qtbot: QtBot, window: OperatorWindow
) -> None:
    def folded() -> object:
        return run_js(
            qtbot,
            window.map_view,
            "document.querySelector('.sweepline-legend').classList.contains('sweepline-legend-folded')",
        )

    box = run_js(
        qtbot,
        window.map_view,
        "(function (r) { return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })"
        "(document.querySelector('.sweepline-legend').getBoundingClientRect())",
    )
    assert folded() is False
    click(window, box["x"], box["y"])
    qtbot.wait_until(lambda: folded() is True)
    rows = "document.querySelector('.sweepline-legend-row').offsetHeight"
    assert run_js(qtbot, window.map_view, rows) == 0
    small = run_js(
        qtbot,
        window.map_view,
        "(function (r) { return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })"
        "(document.querySelector('.sweepline-legend').getBoundingClientRect())",
    )
    click(window, small["x"], small["y"])
    qtbot.wait_until(lambda: folded() is False)
